"""HL7 v3 PIX/PDQ over SOAP 1.2: ITI-44 feed, ITI-45 PIX query, ITI-47 PDQ query, on lxml."""
