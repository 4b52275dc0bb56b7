"""Cold import of the Lambda entry (`import app`, a fresh process each time) against `import boto3`
alone, measured in the same run, interleaved. Target: ratio ≤ 1.3, judged on the fastest
run of each: another process's load only ever adds to an import's time (one under a neighbour's
load came out 1.45 on medians and 1.18 alone, the same code), so the fastest run is the one closest
to the import's own cost. The medians' ratio is printed beside it."""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "11"))
TARGET_RATIO = 1.3


def _import_seconds(statement: str) -> float:
    # Bytecode is written (any value of PYTHONDONTWRITEBYTECODE, "0" included, would stop that): the
    # warm-up run caches every module, so no measured run compiles a source edited since.
    env = {**os.environ, "RENOVA_STAGE": "local", "AWS_DEFAULT_REGION": "sa-east-1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1])


def measure(runs: int = RUNS) -> dict:
    _import_seconds("import app")  # warm the bytecode cache once; each run is still a new process
    boto3_times, app_times = [], []
    for _ in range(runs):  # interleaved, so machine noise hits both alike
        boto3_times.append(_import_seconds("import boto3"))
        app_times.append(_import_seconds("import app"))
    boto3_ms, app_ms = min(boto3_times) * 1000, min(app_times) * 1000
    median_ratio = statistics.median(app_times) / statistics.median(boto3_times)
    return {"boto3_ms": round(boto3_ms, 1), "app_ms": round(app_ms, 1),
            "ratio": round(app_ms / boto3_ms, 2), "target": TARGET_RATIO, "median_ratio": round(median_ratio, 2),
            "runs": runs}


if __name__ == "__main__":
    started = time.perf_counter()
    result = measure()
    print(result, f"({time.perf_counter() - started:.1f} s)")
