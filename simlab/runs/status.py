"""``status.json``: how a job ended (done, skipped, failed), written atomically."""

import json
import os
from pathlib import Path

STATUS_FILE = "status.json"


def write_status(output_dir, **status):
    """Write ``status.json`` into ``output_dir`` atomically (temporary file, then rename)."""
    path = Path(output_dir) / STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{STATUS_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(status, indent=1, default=str))
    tmp.replace(path)


def read_status(job_dir):
    """The job's ``status.json`` as a dict, or None if it has none (or it is unreadable)."""
    try:
        return json.loads((Path(job_dir) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return None
