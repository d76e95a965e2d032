"""Settings of the patient identity actor (PIX Manager, PDQ Supplier, the registry's patient view)."""

from __future__ import annotations

from dataclasses import dataclass

from pix_pdq.vocabulary import INS_NIA_OID, INS_NIR_DEMO_OID, INS_NIR_OID, INS_NIR_TEST_OID


@dataclass(frozen=True, slots=True)
class PatientIdentitySettings:
    """How strict and how large: one frozen value shared by the v2 listener, the v3 services and the registry.

    `affinity_domain_oids` are the assigning authorities whose identifiers the XDS registry accepts as
    patient ids (TF-1 10.2.2: one affinity domain identifier); empty means any identifier of a fed patient.
    """

    affinity_domain_oids: tuple[str, ...] = ()
    # MLLP: a frame larger than this is refused with a NAK and the connection closed (a feed or a query is
    # a few KiB; a bound keeps one client from exhausting memory).
    mllp_max_message_bytes: int = 1_048_576
    # A connection silent for this long is closed, so abandoned sockets do not pile up.
    mllp_idle_timeout_seconds: float = 300.0
    # Character set when MSH-18 is empty (HL7 2.5 2.15.9.18 leaves it to site agreement).
    mllp_default_encoding: str = "utf-8"
    # PDQ (ITI-21 RCP-2, ITI-47 initialQuantity): used when the consumer asks no limit; the maximum caps it.
    pdq_default_quantity: int = 100
    pdq_max_quantity: int = 1000
    # How long an interactive continuation (ITI-21 DSC, ITI-47 QUQI_IN000003UV01) stays available.
    pdq_continuation_ttl_seconds: int = 600
    # Our names in MSH-3/MSH-4 and in the v3 sender device when a request does not name its receiver.
    application_name: str = "XDS_PIX_PDQ"
    facility_name: str = "XDS"
    # v3 sender/receiver device id root (ITI TF-2 3.44.4.1.2: Device.id is an II).
    device_oid: str = "1.3.6.1.4.1.21367.2017.2.1.1"

    @classmethod
    def french(cls, *, test_domains: bool = False) -> PatientIdentitySettings:
        """The French profile: the registry knows a patient only by INS-NIR or INS-NIA (dmp-france.md 7.2);
        `test_domains` adds the test and demo NIR authorities used by the DMP test platforms."""
        oids = (INS_NIR_OID, INS_NIA_OID) + ((INS_NIR_TEST_OID, INS_NIR_DEMO_OID) if test_domains else ())
        return cls(affinity_domain_oids=oids)
