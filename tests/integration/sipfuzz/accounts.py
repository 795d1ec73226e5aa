"""The extensions and accounts pbxd is configured with for the SIP fuzz test."""


REALM = "127.0.0.1"
CALLER = ("100", "pw-100")
ACCOUNTS = {"100": "pw-100", "101": "pw-101", "102a": "pw-102a", "102b": "pw-102b",
            "103": "pw-103", "104": "pw-104", "105": "pw-105"}
EXTENSIONS = [("100", [("100", ACCOUNTS["100"])]),
              ("101", [("101", ACCOUNTS["101"])]),
              ("102", [("102a", ACCOUNTS["102a"]), ("102b", ACCOUNTS["102b"])]),
              ("103", [("103", ACCOUNTS["103"])]),
              ("104", [("104", ACCOUNTS["104"])]),
              ("105", [("105", ACCOUNTS["105"])])]
