"""HL7 v2 PIX/PDQ: ITI-8 feed, ITI-9 PIX query, ITI-21 PDQ query, on python-hl7 parsing."""
