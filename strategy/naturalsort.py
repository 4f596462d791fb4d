"""Natural sort keys for codes such as 1-2, 1-10, 3-a-2 and PIDs such as 観光1-1-10.

The key is stored in a column so the database can order by it: numbers become zero-padded
runs that sort before letters, so 1-2 < 1-10 and 3-1 < 3-2 < 3-a-2.
"""

import re
import unicodedata

_TOKEN = re.compile(r"\d+|[^\d\-/・\s]+")


def natural_key(code: str) -> str:
    parts = []
    for token in _TOKEN.findall(unicodedata.normalize("NFKC", code)):
        if token.isdigit():
            parts.append("0" + token.zfill(6))
        else:
            parts.append("1" + token)
    return "".join(parts)[:200]
