"""Run the registry + repository app in its own process, as `xds serve` would: sweep, then serve.

    python crash_server.py DATABASE_URL BLOB_DIR PORT

The crash test kills this process with SIGKILL and starts it again.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # live_server
sys.path.insert(0, str(Path(__file__).resolve().parent))

from repository_app import build

from xds.db.engine import make_engine
from xds.db.migrate import upgrade


def main() -> None:
    url, blob_dir, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    engine = make_engine(url)
    upgrade(engine)
    app, service = build(engine, blob_dir, f"http://127.0.0.1:{port}")
    report = service.sweep()
    print(
        f"sweep: kept={len(report.kept)} removed={len(report.removed)} orphans={report.orphan_blobs_removed}"
    )
    sys.stdout.flush()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
