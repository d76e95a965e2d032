"""HL7 v3 test requests written by hand from ITI TF-2 3.44, 3.45 and 3.47 (and their examples), not with the
product's builders, so a mistake in our renderer cannot hide behind the same mistake in the test."""

from __future__ import annotations

import uuid
from xml.sax.saxutils import quoteattr

HL7 = "urn:hl7-org:v3"
INTERACTION = "2.16.840.1.113883.1.6"
SOURCE_DEVICE = "1.2.250.1.999.9.1"
MANAGER_DEVICE = "1.2.250.1.999.9.2"
HOSPITAL = "1.2.250.1.999.1"


def ii(tag: str, root: str, extension: str = "") -> str:
    ext = f" extension={quoteattr(extension)}" if extension else ""
    return f"<{tag} root={quoteattr(root)}{ext}/>"


def device(root: str) -> str:
    return f'<device classCode="DEV" determinerCode="INSTANCE">{ii("id", root)}</device>'


def wrapper(interaction: str, control_act: str, *, accept_ack: str = "AL", message_id: str = "") -> bytes:
    """Transmission wrapper (MCCI_MT000100UV01) around `control_act`."""
    return f"""<{interaction} xmlns="{HL7}" ITSVersion="XML_1.0">
  <id root="{message_id or uuid.uuid4()}"/>
  <creationTime value="20250101120000"/>
  <interactionId root="{INTERACTION}" extension="{interaction}"/>
  <processingCode code="P"/>
  <processingModeCode code="T"/>
  <acceptAckCode code="{accept_ack}"/>
  <receiver typeCode="RCV">{device(MANAGER_DEVICE)}</receiver>
  <sender typeCode="SND">{device(SOURCE_DEVICE)}</sender>
  {control_act}
</{interaction}>""".encode()


def person(
    *,
    family: str = "DUPONT",
    given: tuple[str, ...] = ("JEAN", "PIERRE"),
    used_family: str = "",
    sex: str = "M",
    birth: str = "19790301",
    other_ids: tuple[tuple[str, str], ...] = (),
    birth_place: str = "",
) -> str:
    givens = "".join(f"<given>{g}</given>" for g in given)
    names = f'<name><family qualifier="BR">{family}</family>{givens}</name>'
    if used_family:
        names += f'<name><family qualifier="SP">{used_family}</family></name>'
    others = "".join(
        f'<asOtherIDs classCode="PAT">{ii("id", root, ext)}'
        f'<scopingOrganization classCode="ORG" determinerCode="INSTANCE">{ii("id", root)}'
        "</scopingOrganization></asOtherIDs>"
        for root, ext in other_ids
    )
    gender = f'<administrativeGenderCode code="{sex}"/>' if sex else ""
    born = f'<birthTime value="{birth}"/>' if birth else ""
    place = f"<birthPlace><addr><county>{birth_place}</county></addr></birthPlace>" if birth_place else ""
    return f"<patientPerson>{names}{gender}{born}{others}{place}</patientPerson>"


def feed(
    interaction: str,
    ids: tuple[tuple[str, str], ...],
    *,
    prior: tuple[str, str] | None = None,
    patient_person: str | None = None,
    message_id: str = "",
) -> bytes:
    """ITI-44 add (PRPA_IN201301UV02), revise (201302) or merge (201304, with `prior`)."""
    event = interaction.replace("IN", "TE", 1)
    provider = (
        f'<providerOrganization classCode="ORG" determinerCode="INSTANCE">{ii("id", HOSPITAL)}'
        '<contactParty classCode="CON"/></providerOrganization>'
    )
    replacement = (
        '<replacementOf typeCode="RPLC"><priorRegistration classCode="REG" moodCode="EVN">'
        '<statusCode code="obsolete"/><subject1 typeCode="SBJ"><priorRegisteredRole classCode="PAT">'
        f"{ii('id', *prior)}</priorRegisteredRole></subject1></priorRegistration></replacementOf>"
        if prior
        else ""
    )
    act = f"""<controlActProcess classCode="CACT" moodCode="EVN">
    <code code="{event}" codeSystem="{INTERACTION}"/>
    <subject typeCode="SUBJ">
      <registrationEvent classCode="REG" moodCode="EVN">
        <id nullFlavor="NA"/>
        <statusCode code="active"/>
        <subject1 typeCode="SBJ">
          <patient classCode="PAT">
            {"".join(ii("id", root, ext) for root, ext in ids)}
            <statusCode code="active"/>
            {person() if patient_person is None else patient_person}
            {provider}
          </patient>
        </subject1>
        <custodian typeCode="CST">
          <assignedEntity classCode="ASSIGNED">{ii("id", HOSPITAL)}</assignedEntity>
        </custodian>
        {replacement}
      </registrationEvent>
    </subject>
  </controlActProcess>"""
    return wrapper(interaction, act, message_id=message_id)


def pix_query(identifier: tuple[str, str], domains: tuple[str, ...] = (), *, query_id: str = "Q1") -> bytes:
    """ITI-45 PRPA_IN201309UV02 (TF-2 3.45.4.1.2)."""
    sources = "".join(
        f"<dataSource>{ii('value', d)}<semanticsText>DataSource.id</semanticsText></dataSource>"
        for d in domains
    )
    act = f"""<controlActProcess classCode="CACT" moodCode="EVN">
    <code code="PRPA_TE201309UV02" codeSystem="{INTERACTION}"/>
    <queryByParameter>
      {ii("queryId", SOURCE_DEVICE, query_id)}
      <statusCode code="new"/>
      <responsePriorityCode code="I"/>
      <parameterList>
        {sources}
        <patientIdentifier>
          {ii("value", *identifier)}<semanticsText>Patient.Id</semanticsText>
        </patientIdentifier>
      </parameterList>
    </queryByParameter>
  </controlActProcess>"""
    return wrapper("PRPA_IN201309UV02", act, accept_ack="AL")


def pdq_query(parameters: str, *, query_id: str = "P1", quantity: int | None = None) -> bytes:
    """ITI-47 PRPA_IN201305UV02 (TF-2 3.47.4.1.2); `parameters` is the parameterList content."""
    initial = f'<initialQuantity value="{quantity}"/>' if quantity is not None else ""
    act = f"""<controlActProcess classCode="CACT" moodCode="EVN">
    <code code="PRPA_TE201305UV02" codeSystem="{INTERACTION}"/>
    <queryByParameter>
      {ii("queryId", SOURCE_DEVICE, query_id)}
      <statusCode code="new"/>
      <responseModalityCode code="R"/>
      <responsePriorityCode code="I"/>
      {initial}
      <parameterList>{parameters}</parameterList>
    </queryByParameter>
  </controlActProcess>"""
    return wrapper("PRPA_IN201305UV02", act)


def gender(code: str) -> str:
    return (
        f'<livingSubjectAdministrativeGender><value code="{code}"/>'
        "<semanticsText>LivingSubject.administrativeGender</semanticsText></livingSubjectAdministrativeGender>"
    )


def birth_time(value: str) -> str:
    return (
        f'<livingSubjectBirthTime><value value="{value}"/>'
        "<semanticsText>LivingSubject.birthTime</semanticsText></livingSubjectBirthTime>"
    )


def subject_id(root: str, extension: str) -> str:
    return (
        f"<livingSubjectId>{ii('value', root, extension)}"
        "<semanticsText>LivingSubject.id</semanticsText></livingSubjectId>"
    )


def name(family: str = "", given: str = "") -> str:
    parts = (f"<family>{family}</family>" if family else "") + (f"<given>{given}</given>" if given else "")
    return (
        f"<livingSubjectName><value>{parts}</value>"
        "<semanticsText>LivingSubject.name</semanticsText></livingSubjectName>"
    )


def scoping(*roots: str) -> str:
    values = "".join(ii("value", r) for r in roots)
    return (
        f"<otherIDsScopingOrganization>{values}"
        "<semanticsText>OtherIDs.scopingOrganization.id</semanticsText></otherIDsScopingOrganization>"
    )


def continuation(
    query_id: str, *, status: str = "waitContinuedQueryResponse", quantity: int | None = None
) -> bytes:
    """QUQI_IN000003UV01 continue (status waitContinuedQueryResponse) or cancel (aborted), TF-2 3.47.4.3."""
    amount = f'<continuationQuantity value="{quantity}"/>' if quantity is not None else ""
    act = f"""<controlActProcess classCode="CACT" moodCode="EVN">
    <code code="PRPA_TE000003UV01" codeSystem="{INTERACTION}"/>
    <queryContinuation>
      {ii("queryId", SOURCE_DEVICE, query_id)}
      <startResultNumber value="1"/>
      {amount}
      <statusCode code="{status}"/>
    </queryContinuation>
  </controlActProcess>"""
    return wrapper("QUQI_IN000003UV01", act, accept_ack="NE")
