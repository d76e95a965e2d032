"""XML namespaces of the ebXML Registry 3.0, XDS.b, SOAP 1.2, WS-Addressing and XOP.

Source: ITI TF-2 Appendix V Table V.2.4-1 (checklist section 1.1).
"""

LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
XDS = "urn:ihe:iti:xds-b:2007"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
XOP = "http://www.w3.org/2004/08/xop/include"
XMIME = "http://www.w3.org/2005/05/xmlmime"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"

# Prefixes we write; readers never depend on prefixes.
NSMAP = {"lcm": LCM, "rim": RIM, "rs": RS, "query": QUERY, "xds": XDS}


def q(ns: str, local: str) -> str:
    """Clark notation `{ns}local`, the form lxml uses for qualified names."""
    return f"{{{ns}}}{local}"
