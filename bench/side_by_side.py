"""Time commands side by side: each round runs every command once, in
alternating order, so that a change in the machine's load falls on all of
them alike; prints each command's median wall time, and its peak resident
memory when asked.

usage: side_by_side.py ROUNDS [--memory] NAME=COMMAND...
A `{n}` in a command is replaced by a number new on every run (a fresh
output folder each time). Output goes to /dev/null; a failing run stops
everything. A peak is the most of the command and of the Python process it
starts from (exec keeps the larger), so peaks under about 14 MiB only say
"small".
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def run(argv, memory):
    if memory:
        # A child of its own, so that its peak is not mixed with another's.
        # posix_spawn, not fork: a forked child's peak would count the
        # copy of Python it starts as.
        probe = (
            "import os, resource, sys, time;"
            "t = time.perf_counter();"
            "pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ,"
            " file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]);"
            "_, status = os.waitpid(pid, 0);"
            "assert status == 0, sys.argv[1:];"
            "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
            "print(time.perf_counter() - t, u.ru_maxrss, u.ru_utime + u.ru_stime)"
        )
        out = subprocess.run([sys.executable, "-c", probe, *argv], check=True,
                             capture_output=True, text=True)
        elapsed, peak, cpu = out.stdout.split()
        elapsed, peak, cpu = float(elapsed), int(peak), float(cpu)
        if sys.platform == "darwin":  # bytes there, KiB on Linux
            peak //= 1024
        return elapsed, (peak, cpu)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, None


def main():
    args = sys.argv[1:]
    rounds = int(args.pop(0))
    memory = args[0] == "--memory"
    if memory:
        args.pop(0)
    names, commands = zip(*(a.split("=", 1) for a in args))
    counter = 0

    def once(i):
        nonlocal counter
        counter += 1
        return run([w.replace("{n}", str(counter)) for w in commands[i].split()], memory)

    for i in range(len(commands)):  # warm the caches
        once(i)
    times = [[] for _ in commands]
    peaks = [[] for _ in commands]
    for r in range(rounds):
        order = range(len(commands)) if r % 2 == 0 else reversed(range(len(commands)))
        for i in order:
            t, p = once(i)
            times[i].append(t)
            peaks[i].append(p)
    for name, t, p in zip(names, times, peaks):
        line = f"{name:<28} {statistics.median(t) * 1000:9.2f} ms"
        if memory:
            line += f"  {statistics.median(c for _, c in p) * 1000:9.2f} ms CPU"
            line += f"  {max(m for m, _ in p) / 1024:7.1f} MiB peak"
        print(line)


main()
