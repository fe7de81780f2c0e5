"""The runs of bench/usage.sh: zcat, `ecs-iam usage` and trailscraper over
the same CloudTrail folders, a table of wall time, CPU time and peak
memory per folder, and the targets met or missed.

usage: usage.py ROUNDS ECS_IAM TRAILSCRAPER SPEC ROLE_ARN FOLDER...
Each FOLDER holds the files in `trail/`; the outputs are written beside.
zcat and `usage` run ROUNDS times per folder, in alternating order, after
one run each to warm the page cache (the median time is shown, the largest
peak); trailscraper, some 50 times slower, once. A peak is the largest
process of the command's (GNU time's `%M`, or getrusage's `ru_maxrss` of
the children where GNU time is missing).
"""
import os
import statistics
import subprocess
import sys
import tempfile


def measure(command):
    """Wall and CPU seconds and peak KiB of a shell command."""
    if os.access("/usr/bin/time", os.X_OK):
        with tempfile.NamedTemporaryFile("r") as out:
            subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", out.name,
                            "sh", "-c", command], check=True)
            wall, user, system, peak = out.read().split()[-4:]
        return float(wall), float(user) + float(system), int(peak)
    # A child of its own per run, so that its peak is not another's.
    probe = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter();"
        "subprocess.run(['sh', '-c', sys.argv[1]], check=True);"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, command], check=True,
                         capture_output=True, text=True).stdout.split()
    peak = int(out[2]) // (1024 if sys.platform == "darwin" else 1)
    return float(out[0]), float(out[1]), peak


def folder_size(folder):
    files = gz = 0
    for dirpath, _, names in os.walk(folder):
        for n in names:
            if n.endswith(".json.gz"):
                files += 1
                gz += os.path.getsize(os.path.join(dirpath, n))
    return files, gz


def met(yes):
    return "met" if yes else "MISSED"


def main():
    rounds, ecs_iam, trailscraper, spec, role, *folders = sys.argv[1:]
    rounds = int(rounds)
    rows = []
    for out in folders:
        folder = os.path.join(out, "trail")
        files, gz = folder_size(folder)
        json_mib = int(os.path.basename(out).split("-")[0])
        commands = {
            "zcat": f"find {folder} -name '*.json.gz' -print0 | xargs -0 zcat > /dev/null",
            "ecs-iam usage": f"{ecs_iam} usage {spec} --cloudtrail {folder} --format json"
                             f" --fail-on never > {out}/usage.json",
        }
        runs = {name: [] for name in commands}
        for name, command in commands.items():  # warm the page cache
            measure(command)
        for r in range(rounds):
            names = list(commands) if r % 2 == 0 else list(reversed(commands))
            for name in names:
                runs[name].append(measure(commands[name]))
        runs["trailscraper select"] = [measure(
            f"{trailscraper} select --log-dir {folder} --filter-assumed-role-arn {role}"
            f" --from 2026-10-01 --to 2026-12-31 > {out}/selected.json")]
        runs["trailscraper generate"] = [measure(
            f"{trailscraper} generate < {out}/selected.json > {out}/trailscraper.json")]
        summary = {}
        for name, results in runs.items():
            summary[name] = (statistics.median(w for w, _, _ in results),
                             statistics.median(c for _, c, _ in results),
                             max(p for _, _, p in results))
        rows.append((json_mib, files, gz, summary))
        print(f"{json_mib} MiB of JSON ({files} files, {gz / 2**20:.0f} MiB gzip'd): done",
              file=sys.stderr)

    print(f"\n{'JSON':>9} {'files':>6}  {'what':<22} {'wall':>8} {'CPU':>8} {'peak':>10}")
    for json_mib, files, gz, summary in rows:
        for name, (wall, cpu, peak) in summary.items():
            print(f"{json_mib:>5} MiB {files:>6}  {name:<22} {wall:>7.2f}s {cpu:>7.2f}s"
                  f" {peak / 1024:>6.1f} MiB")
    print()
    for json_mib, _, _, s in rows:
        usage, zcat, select = s["ecs-iam usage"][0], s["zcat"][0], s["trailscraper select"][0]
        print(f"{json_mib:>5} MiB: usage / zcat {usage / zcat:.2f}x ({met(usage <= 2 * zcat)}: at most 2x);"
              f" trailscraper select / usage {select / usage:.1f}x ({met(select >= 20 * usage)}: at least 20x)")
    peaks = [s["ecs-iam usage"][2] for _, _, _, s in rows]
    sizes = [r[0] for r in rows]
    print(f"usage peak memory: {', '.join(f'{p / 1024:.1f} MiB' for p in peaks)}"
          f" for {', '.join(f'{m} MiB' for m in sizes)} of JSON")


main()
