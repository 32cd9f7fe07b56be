"""`slurm submit | status | resubmit | finalize`: a dataset rendered as a SLURM job array."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import (
    SettingsError,
)
from .datasets import settings_from_args


def slurm_command(args: argparse.Namespace) -> int:
    import json

    from ..cluster import slurm

    if args.action == "submit":
        if getattr(args, "splits", None):  # one array draws one dataset folder
            raise SettingsError("splits", args.splits, "no --splits for slurm submit: submit "
                                "one array per split, each with its own --seed and --out")
        options = slurm.SlurmOptions(
            shards=args.shards, partition=args.partition, gpus_per_task=args.gpus_per_task,
            cpus_per_task=args.cpus_per_task, time=args.time, blender=args.blender,
            extra_sbatch=args.extra_sbatch, device=args.device, workers=args.workers)
        root = Path(args.out).resolve()
        record = slurm.submit(settings_from_args(args), root, options, dry_run=args.dry_run)
        print(f"scripts in {root / slurm.SLURM_DIR}")
        if args.dry_run:
            print(f"not submitted (--dry-run): sbatch {record['script']}")
        else:
            print(f"array job {record['array_jobs'][0]['job']} ({args.shards} shards), "
                  f"finalize job {record['finalize_jobs'][0]}")
            print(f"watch: squeue -j {record['array_jobs'][0]['job']}; "
                  f"python -m identbox slurm status {root}")
        return 0
    root = Path(args.root).resolve()
    if args.action == "resubmit":
        shards = slurm.resubmit(root)
        print(f"resubmitted shards {shards}" if shards else "nothing to resubmit")
        return 0
    if args.action == "finalize":
        summary = slurm.finalize(root)
        print(json.dumps(summary, indent=2))
        return 0 if summary["valid"] else 1
    report = slurm.status(root)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    unit = report["unit"]
    print(f"{root}: {report['done']}/{report['pairs']} {unit} ({report['percent']:.1f}%)")
    for row in report["shards"]:
        seconds = f", {row['seconds']:.0f} s" if row["seconds"] is not None else ""
        print(f"  shard {row['shard']}: {row['done']}/{row['pairs']} {row['state']}{seconds}")
    if report["pairs_per_second_per_task"]:
        eta = report["eta_seconds_one_task"]
        print(f"  {report['pairs_per_second_per_task']:.2f} {unit}/s per task; "
              f"{eta:.0f} s of one task's time left")
    return 0
