"""Give an index built without the index's one vector graph (e.g. by an older hanrag) its graph now.

    .venv/bin/python bench/upkeep_graph.py --dir bench/.work/latency-segments-synthvec-1000000

What a commit does after its merges once the policy asks for it (hanrag.store.graph_upkeep), run
alone: with the settings' retrieval.ann* options, one writer, nothing else changed. The segments
(and any graphs of their own, which older versions read) are left as they are, so old and new code
can be timed on the same files. Prints the action, seconds and peak RSS as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from scale import peak_rss_mb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    from hanrag.config import load_settings
    from hanrag.retrieve.ann import HnswParams
    from hanrag.store.local import AnnPolicy, LocalStore, StoreOptions

    r = load_settings().retrieval
    store = LocalStore(args.dir, StoreOptions(ann=AnnPolicy(r.ann, r.ann_threshold, HnswParams(ef_search=r.ann_ef_search),
                                                            os.cpu_count() or 1)))
    start, cpu = time.perf_counter(), time.process_time()
    with store.writer() as writer:
        action = writer.upkeep_graph()
    print(json.dumps({"action": action, "s": round(time.perf_counter() - start, 1),
                      "cpu_s": round(time.process_time() - cpu, 1), "peak_rss_mb": round(peak_rss_mb())}))


if __name__ == "__main__":
    main()
