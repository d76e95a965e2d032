"""ebXML 2.1 -> ebRIM 3.0 (checklist 6.1.7): each TranslateToV3 rule, then a real NIST file end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from conformance.translate import association_type_v3, is_rim21, to_rim3
from conformance.vocabulary import RIM21, RS21
from registry.validation import validate_submission
from xds.ebxml.namespaces import LCM, RIM, XML, q
from xds.ebxml.parse_submit import parse_submit_objects_request
from xds.ebxml.transform import to_submission
from xds.ebxml.vocabulary import OBJECT_TYPE_CLASSIFICATION, OBJECT_TYPE_EXTERNAL_IDENTIFIER

V21 = f"""<rs:SubmitObjectsRequest xmlns:rs="{RS21}">
  <rim:LeafRegistryObjectList xmlns:rim="{RIM21}">
    <rim:ObjectRef id="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b518fff"/>
    <rim:ExtrinsicObject id="Document01" mimeType="text/plain" majorVersion="1" status="Approved">
      <rim:ExternalIdentifier value="P1"
        identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"/>
      <rim:Classification classifiedObject="Document01" classificationScheme="urn:uuid:x"
        nodeRepresentation="c"/>
      <rim:Slot name="creationTime"><rim:ValueList><rim:Value>2004</rim:Value></rim:ValueList></rim:Slot>
      <rim:Name><rim:LocalizedString lang="en-us" value="Doc"/></rim:Name>
    </rim:ExtrinsicObject>
    <rim:Association sourceObject="SubmissionSet01" targetObject="Document01" associationType="HasMember"/>
    <rim:Association sourceObject="Document02" targetObject="Document01" associationType="RPLC"/>
  </rim:LeafRegistryObjectList>
</rs:SubmitObjectsRequest>"""


@pytest.fixture
def translated() -> etree._Element:
    return to_rim3(etree.fromstring(V21))


def test_wraps_in_lcm_request_and_drops_object_refs(translated: etree._Element) -> None:
    assert translated.tag == q(LCM, "SubmitObjectsRequest")
    object_list = translated[0]
    assert object_list.tag == q(RIM, "RegistryObjectList")
    assert [etree.QName(c).localname for c in object_list] == [
        "ExtrinsicObject",
        "Association",
        "Association",
    ]


def test_children_in_rim3_order(translated: etree._Element) -> None:
    eo = translated[0][0]
    assert [etree.QName(c).localname for c in eo] == ["Slot", "Name", "Classification", "ExternalIdentifier"]


def test_ids_registry_object_and_object_types(translated: etree._Element) -> None:
    eo = translated[0][0]
    cl, ei = eo.find(q(RIM, "Classification")), eo.find(q(RIM, "ExternalIdentifier"))
    assert cl.get("id") and ei.get("id") and cl.get("id") != ei.get("id")
    assert ei.get("registryObject") == "Document01"
    assert cl.get("objectType") == OBJECT_TYPE_CLASSIFICATION
    assert ei.get("objectType") == OBJECT_TYPE_EXTERNAL_IDENTIFIER
    assert all(a.get("id", "").startswith("id_") for a in translated[0].findall(q(RIM, "Association")))


def test_values_attributes_and_lang(translated: etree._Element) -> None:
    eo = translated[0][0]
    assert "majorVersion" not in eo.attrib
    assert eo.get("status") == "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
    assert eo.find(f"{q(RIM, 'Name')}/{q(RIM, 'LocalizedString')}").get(q(XML, "lang")) == "en-us"
    types = [a.get("associationType") for a in translated[0].findall(q(RIM, "Association"))]
    assert types == [
        "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember",
        "urn:ihe:iti:2007:AssociationType:RPLC",
    ]


def test_rim3_documents_are_unchanged() -> None:
    doc = etree.fromstring(f'<lcm:SubmitObjectsRequest xmlns:lcm="{LCM}"/>')
    assert not is_rim21(doc)
    assert to_rim3(doc) is doc
    assert association_type_v3("urn:ihe:iti:2007:AssociationType:APND").endswith("APND")


def test_nist_submission_passes_the_registry_rule_table(shared: Path) -> None:
    """12346/single_doc.xml, translated and with its placeholders filled, is a valid ITI-42 submission."""
    text = (shared / "testkit/nist/tests/12346/single_doc/single_doc.xml").read_text()
    text = text.replace("$patientid$", "P1^^^&amp;1.2.3&amp;ISO")
    text = text.replace('value="Document01"', 'value="1.2.3.1"').replace(
        'value="SubmissionSet01"', 'value="1.2.3.2"'
    )
    sub = to_submission(parse_submit_objects_request(to_rim3(etree.fromstring(text.encode()))))
    assert validate_submission(sub) == []
