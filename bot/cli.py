"""``safejob`` command line: check messages, evaluate, train and manage model versions.

``training`` (and with it the training data) is imported only by the subcommands that need it, so
``safejob check`` on a server needs nothing but the shipped model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from bot.detector.detector import MAX_CHARS, Detector, EmptyText
from bot.detector.model import ModelError, Registry, default_models_dir
from bot.detector.verdict import Verdict
from bot.i18n import SUPPORTED, pick_language, t

EXIT_USAGE = 2
EXIT_MODEL = 3


def _err(msg: str) -> None:
    print(f"safejob: {msg}", file=sys.stderr)


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnicodeError(
            f"standard input is not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
            "save the text as UTF-8 and try again"
        ) from None


def render_text(v: Verdict, lang: str) -> str:
    """The verdict as a person reads it in a terminal."""
    lines = [t(lang, f"level.{v.level}"), ""]
    if v.intent == "detention_report":
        lines.insert(0, t(lang, "cli.detention_report"))
    if v.flags:
        lines.append(t(lang, "cli.signs_found"))
        for f in v.flags:
            lines.append(f"  - {t(lang, 'flag.' + f.code)}: \u201c{f.evidence}\u201d")
            lines.append(f"      {t(lang, 'flag.' + f.code + '.why')}")
    else:
        lines.append(t(lang, "cli.no_signs"))
    for m in v.matches:
        lines.append(t(lang, "cli.known_scam", similarity=f"{m.similarity:.0%}", id=m.id))
    contacts = [c for k in ("telegram_handles", "phones", "whatsapp", "wechat_ids", "line_ids", "urls")
                for c in v.entities.get(k, [])]
    if contacts:
        lines.append(t(lang, "cli.contacts", contacts=", ".join(contacts)))
    if v.top_terms:
        lines.append(t(lang, "cli.top_terms", terms=", ".join(v.top_terms)))
    lines.append("")
    lines.append(t(lang, "cli.footer", risk=f"{v.risk:.2f}", language=v.language, intent=v.intent,
                   version=v.model_version))
    return "\n".join(lines)


def _load_detector(args: argparse.Namespace) -> Detector:
    return Detector.load(args.models_dir)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        detector = _load_detector(args)
    except ModelError as exc:
        _err(str(exc))
        return EXIT_MODEL
    if args.jsonl:
        return _check_jsonl(detector, sys.stdout)
    if args.text:
        text = " ".join(args.text)
    else:
        try:
            text = _read_stdin()
        except UnicodeError as exc:
            _err(str(exc))
            return EXIT_USAGE
    if len(text) > MAX_CHARS:
        _err(f"the text has {len(text):,} characters; only the first {MAX_CHARS:,} were checked")
    try:
        verdict = detector.check(text)
    except EmptyText:
        _err("nothing to check: the text is empty. Pass the message as an argument or on standard input.")
        return EXIT_USAGE
    if args.json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    else:
        lang = pick_language(args.lang or verdict.language)
        print(render_text(verdict, lang))
    return 0


def _check_jsonl(detector: Detector, out: TextIO) -> int:
    """One ``{"id","text"}`` per input line, one Verdict (with ``id``) or error object per output line."""
    stream = sys.stdin.buffer
    for n, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        row_id: Any = n
        try:
            line = raw.decode("utf-8")
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("each line must be a JSON object with \"id\" and \"text\"")
            row_id = row.get("id", n)
            text = row.get("text")
            if not isinstance(text, str):
                raise ValueError("missing \"text\" (a string)")
            verdict = detector.check(text).to_json()
            verdict["id"] = row_id
            out.write(json.dumps(verdict, ensure_ascii=False) + "\n")
        except EmptyText:
            out.write(json.dumps({"id": row_id, "line": n, "error": "empty text"}) + "\n")
        except UnicodeDecodeError:
            out.write(json.dumps({"id": row_id, "line": n, "error": "line is not valid UTF-8"}) + "\n")
        except (ValueError, json.JSONDecodeError) as exc:
            out.write(json.dumps({"id": row_id, "line": n, "error": f"malformed line: {exc}"}, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from training.datasets import load_jsonl
    from training.evaluate import grouped_metrics

    try:
        detector = _load_detector(args)
    except ModelError as exc:
        _err(str(exc))
        return EXIT_MODEL
    rows = []
    for f in args.files:
        p = Path(f)
        if not p.is_file():
            _err(f"no such file: {p}")
            return EXIT_USAGE
        try:
            rows.extend(load_jsonl(p))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            _err(f"{p}: not JSON Lines ({exc})")
            return EXIT_USAGE
    if not rows:
        _err("no labelled rows (label scam, legit or spam) in the given files")
        return EXIT_USAGE
    risks = [detector.check(r.text).risk for r in rows]
    th = detector.model.thresholds
    report = grouped_metrics(rows, risks, th["medium"], th["high"], keys=("lang", "domain"))
    report["model_version"] = detector.model_version
    report["thresholds"] = th
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from training.datasets import default_shared_data
    from training.train import TrainConfig, train

    data = Path(args.data) if args.data else default_shared_data()
    if not data.is_dir():
        _err(f"real data folder {data} not found; training on the curated corpus only")
        data = None  # type: ignore[assignment]
    out = Path(args.out) if args.out else default_models_dir()
    entry = train(data, out, extra_labels=[Path(p) for p in args.labels], config=TrainConfig(C=args.C),
                  log=lambda m: print(m, file=sys.stderr))
    overall = entry["metrics"]["test"]["overall"]
    corpus = entry["metrics"]["test"]["by_origin"].get("corpus", {})
    print(json.dumps({"version": entry["version"], "out": str(out), "thresholds": entry["thresholds"],
                      "test_overall": overall, "test_corpus": corpus}, indent=2))
    print(f"not current yet: run `safejob models promote {entry['version']}"
          + (f" --models-dir {out}`" if args.out else "`"), file=sys.stderr)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from training.datasets import default_shared_data
    from training.registry_ops import list_versions, promote, rollback

    registry = Registry(Path(args.models_dir) if args.models_dir else default_models_dir())
    try:
        if args.action == "list":
            rows = list_versions(registry)
            if args.json:
                print(json.dumps(rows, indent=2))
            elif not rows:
                print(f"no models in {registry.path}")
            for r in rows if not args.json else []:
                mark = "*" if r["current"] else " "
                print(f"{mark} {r['version']:<14} ROC-AUC {r['roc_auc']}  PR-AUC {r['pr_auc']}  "
                      f"lure recall@medium {r['corpus_recall_medium']}  false alarms {r['corpus_false_alarm_medium']}  "
                      f"{r['size_mb']} MB  {r['created']}")
        elif args.action == "promote":
            if not args.version:
                _err("promote needs a VERSION (see `safejob models list`)")
                return EXIT_USAGE
            data = default_shared_data()
            comparison = promote(registry, args.version, data if data.is_dir() else None, force=args.force,
                                 log=lambda m: print(m, file=sys.stderr))
            print(f"{args.version} is now current")
            if comparison:
                print(json.dumps({"candidate": comparison["candidate"]["overall"],
                                  "previous": comparison["current"]["overall"]}, indent=2))
        elif args.action == "rollback":
            print(f"{rollback(registry)} is now current")
    except ModelError as exc:
        _err(str(exc))
        return EXIT_MODEL
    return 0


def _store(args: argparse.Namespace):
    from bot.settings import Settings, load_dotenv
    from bot.store import Store

    load_dotenv()
    return Store(Settings.from_env().db_path)


def cmd_labels(args: argparse.Namespace) -> int:
    from bot.store.labels import export_labels, import_labels

    store = _store(args)
    try:
        if args.action == "export":
            if args.file:
                with open(args.file, "w", encoding="utf-8") as f:
                    n = export_labels(store, f)
            else:
                n = export_labels(store, sys.stdout)
            print(f"exported {n} labels", file=sys.stderr)
            return 0
        if not args.file:
            _err("labels import needs a FILE")
            return EXIT_USAGE
        try:
            detector = Detector.load(args.models_dir) if args.models_dir else Detector.load()
        except ModelError:
            detector = None
        with open(args.file, encoding="utf-8") as f:
            n, errors = import_labels(store, f, admin_id=args.admin_id, detector=detector)
        for e in errors:
            _err(e)
        print(f"imported {n} labels, {len(errors)} lines refused", file=sys.stderr)
        return 0 if not errors else 1
    finally:
        store.close()


def cmd_stats(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        print(json.dumps(store.stats(days=args.days), indent=2, ensure_ascii=False))
    finally:
        store.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import main_run

    return main_run()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="safejob", description="SafeJob: warnings about fake overseas job offers.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--models-dir", help="models directory (default: $SAFEJOB_MODELS_DIR, "
                        "$SAFEJOB_DATA_DIR/models if it has a registry, else the shipped models/)")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", parents=[common], help="check a message (argument or standard input)")
    c.add_argument("text", nargs="*", help="the message; read from standard input when absent")
    c.add_argument("--json", action="store_true", help="print the Verdict JSON")
    c.add_argument("--jsonl", action="store_true", help='batch: {"id","text"} per stdin line, a Verdict per line out')
    c.add_argument("--lang", choices=SUPPORTED, help="language of the explanation (default: the message's)")
    c.set_defaults(func=cmd_check)

    e = sub.add_parser("evaluate", parents=[common], help="metrics of the current model on labelled JSONL files")
    e.add_argument("files", nargs="+")
    e.set_defaults(func=cmd_evaluate)

    tr = sub.add_parser("train", parents=[common], help="train a new model version (not made current)")
    tr.add_argument("--data", help="folder of real labelled JSONL sets (default ../shared/data)")
    tr.add_argument("--out", help="models directory to write to (default: the active one)")
    tr.add_argument("--labels", action="append", default=[], help="extra labelled JSONL (admin labels)")
    tr.add_argument("--C", type=float, default=8.0, help="inverse regularisation of the logistic regression")
    tr.set_defaults(func=cmd_train)

    lb = sub.add_parser("labels", parents=[common], help="export or import admin labels (JSONL, corpus fields)")
    lb.add_argument("action", choices=("export", "import"))
    lb.add_argument("file", nargs="?", help="JSONL file (export: default standard output)")
    lb.add_argument("--admin-id", type=int, default=0, help="admin id recorded for imported labels")
    lb.set_defaults(func=cmd_labels)

    st = sub.add_parser("stats", parents=[common], help="checks per day, levels, languages, signs, feedback, labels")
    st.add_argument("--days", type=int, default=14)
    st.set_defaults(func=cmd_stats)

    r = sub.add_parser("run", help="run the Telegram bot (polling, or webhook when TELEGRAM_WEBHOOK_URL is set)")
    r.set_defaults(func=cmd_run)

    m = sub.add_parser("models", parents=[common], help="list, promote or roll back model versions")
    m.add_argument("action", choices=("list", "promote", "rollback"))
    m.add_argument("version", nargs="?")
    m.add_argument("--force", action="store_true", help="promote even if worse than the current model")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_models)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
