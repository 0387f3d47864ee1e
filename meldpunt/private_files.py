"""Files only Meldpunt's own user may read: the key-encryption key and the
generated secret key.

A file is written whole to a temporary file that is created readable by its
owner only (0600), then linked under its name in one step. So it is never
readable by others, not even for a moment, and nobody ever reads it half
written; when two processes start at once, the first link wins and the other
uses that file.
"""

import os
import tempfile
from pathlib import Path


def create_private_file(path: Path, text: str) -> bool:
    """Write ``text`` to a new file ``path``, mode 0600; False (and nothing
    changed) if ``path`` already exists."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)
