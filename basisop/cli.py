"""Command line: argument parsing and exit codes only; the work lives in the library.

Exit codes: 0 success, 1 invalid input or a failed step (reported), 2 wrong usage,
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from basisop.model import SCORING_RULES
from basisop.problems import ValidationError

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


def _study_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", nargs="?", type=Path, default=None, metavar="STUDIE",
                        help="studiebestand (standaard: de ingebouwde studie "
                             "params/gooi-en-vechtstreek-2024.yaml)")


def _positive_int(text: str) -> int:
    """An argparse type: a whole number above 0, or a usage error in Dutch."""
    if not text.strip().isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"verwacht een geheel getal groter dan 0, niet '{text}'")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="basisop", description="Wegingskader 'De Basis op Orde': valideren, scoren, "
                                    "rapporteren.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="OPDRACHT")

    p = commands.add_parser("validate", help="controleer een studie en al haar bestanden")
    _study_arg(p)
    p.add_argument("--afgewezen", type=Path, metavar="CSV",
                   help="schrijf afgewezen rijen met hun reden naar dit bestand")
    p.set_defaults(handler=_validate)

    p = commands.add_parser("score", help="bereken de status per eenheid en subthema")
    _study_arg(p)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--regel", choices=SCORING_RULES,
                   help="scoringsregel (standaard: die van het studiebestand)")
    p.add_argument("--afwijkingen", action="store_true",
                   help="alleen de subthema's waar regel en oordeel van kleur verschillen")
    p.add_argument("-o", "--output", type=Path, help="schrijf naar bestand i.p.v. scherm (een "
                                                     "naam op .xlsx geeft een werkboek)")
    p.set_defaults(handler=_score)

    p = commands.add_parser("run", help="maak alle hoofdstukken, de regiovergelijking en index")
    _study_arg(p)
    p.add_argument("--out", type=Path, default=None, help="uitvoermap (standaard: reports/)")
    p.add_argument("--jobs", type=int, default=None, help="parallelle werkers (standaard: "
                                                          "twee per kern)")
    p.add_argument("--eenheid", nargs="+", default=None, metavar="CODE",
                   help="alleen deze eenheden (de regiovergelijking wordt altijd gemaakt)")
    p.add_argument("--timeout", type=_positive_int, default=600,
                   help="tijdslimiet per notebook (s)")
    p.add_argument("--pdf", action="store_true",
                   help="schrijf naast elke pagina ook een PDF (A4, met headless Chromium)")
    p.add_argument("--gewijzigd", action="store_true",
                   help="voer alleen notebooks uit waarvan de invoer veranderde sinds de vorige "
                        "run in dezelfde map")
    p.set_defaults(handler=_run)

    p = commands.add_parser("codebook", help="exporteer het wegingskader als REFI-QDA codeboek")
    _study_arg(p)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.qdc")
    p.set_defaults(handler=_codebook)

    p = commands.add_parser("import-qdpx", help="lees een gecodeerd REFI-QDA project in")
    p.add_argument("project", type=Path, metavar="PROJECT.qdpx")
    p.add_argument("--study", type=Path, default=None, help="studiebestand")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="CODERING.csv")
    p.add_argument("--eenheid-variabele", default=None, metavar="NAAM",
                   help="variabele of case-naam die de eenheid geeft")
    p.add_argument("--rol-variabele", default=None, metavar="NAAM",
                   help="variabele die de rol van de respondent geeft")
    p.add_argument("--sla-over-toegestaan", action="store_true",
                   help="schrijf ook als gecodeerde passages niet in tekst om te zetten zijn "
                        "(PDF-gebieden, afbeeldingen, audio, video): ze gaan dan verloren")
    p.set_defaults(handler=_import_qdpx)

    p = commands.add_parser("nieuw", help="begin een nieuwe studie: studiebestand, lege tabellen "
                                          "en een coderingswerkboek")
    p.add_argument("folder", type=Path, metavar="MAP", help="nieuwe (of lege) map voor de studie")
    p.add_argument("--naam", required=True, help="naam van de studie")
    p.add_argument("--eenheid", action="append", required=True, metavar="CODE=Naam",
                   help="een eenheid, bijvoorbeeld W=Wijdemeren (herhaal voor elke eenheid)")
    p.add_argument("--districtspartners", action="store_true",
                   help="voeg de eenheid D (districtspartners) toe")
    p.set_defaults(handler=_new)

    p = commands.add_parser("acties", help="exporteer de acties en hun voortgang als werkboek")
    _study_arg(p)
    p.add_argument("--xlsx", type=Path, required=True, metavar="ACTIES.xlsx",
                   help="het werkboek om te schrijven (nooit een invoerbestand van de studie)")
    p.set_defaults(handler=_actions)

    p = commands.add_parser("vergelijk", help="vergelijk twee versies of golven van een studie")
    p.add_argument("old", type=Path, metavar="OUD", help="studiebestand van de oude versie/golf")
    p.add_argument("new", type=Path, metavar="NIEUW", help="studiebestand van de nieuwe")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("-o", "--output", type=Path, help="schrijf naar bestand i.p.v. scherm")
    p.set_defaults(handler=_compare)

    p = commands.add_parser("export-qdpx", help="schrijf de codering als REFI-QDA project")
    _study_arg(p)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="PROJECT.qdpx")
    p.add_argument("--met-vertrouwelijk", action="store_true",
                   help="neem ook vertrouwelijke fragmenten op (standaard weggelaten)")
    p.set_defaults(handler=_export_qdpx)

    p = commands.add_parser("check-privacy", help="zoek persoonsgegevens in bestanden")
    p.add_argument("paths", nargs="+", type=Path, metavar="PAD")
    p.add_argument("--study", type=Path, default=None, help="studiebestand")
    p.set_defaults(handler=_check_privacy)
    return parser


def _validate(args: argparse.Namespace) -> int:
    from basisop.batch.pages import page_problems
    from basisop.io.dataset import load_study_data
    from basisop.io.paths import require_output_file, study_inputs
    from basisop.io.study import load_study
    from basisop.io.tables import write_csv

    study = load_study(args.study)
    if args.afgewezen is not None:
        require_output_file(args.afgewezen, study_inputs(study))
    data = load_study_data(study)
    collisions = page_problems(study)  # two pages that would share one file
    print(f"Studie: {study.naam} (golf {study.golf}), {len(study.eenheden)} eenheden, "
          f"{len(study.framework.subthemes)} subthema's")
    for line in data.summary_lines():
        print(line)
    for problem in [*data.problems, *collisions]:
        print(problem)
    if args.afgewezen is not None:
        rejects = data.rejects_frame()
        write_csv(rejects, args.afgewezen, private=True)
        print(f"{len(rejects)} afgewezen rijen geschreven naar {args.afgewezen} (alleen voor u "
              "leesbaar: het kan vertrouwelijke fragmenten bevatten)")
        withheld = data.withheld_reject_columns()
        if withheld:
            print(f"waarschuwing: persoonsgegevens uit het respondentenregister "
                  f"({', '.join(withheld)}) zijn niet in dat bestand opgenomen; zoek de rij "
                  "op in het register zelf.")
    if not data.ok or collisions:
        errors = sum(p.is_error for p in data.problems) + len(collisions)
        print(f"Ongeldig: {errors} fout(en).", file=sys.stderr)
        return EXIT_FAILED
    print("Geldig.")
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from basisop.io.dataset import load_valid
    from basisop.io.paths import require_output_file, study_inputs
    from basisop.io.tables import safe_frame
    from basisop.scoring import score

    data = load_valid(args.study)
    if args.output:
        require_output_file(args.output, study_inputs(data.study))
    settings = data.study.scoring
    if args.regel:
        settings = replace(settings, regel=args.regel)
    scores = score(data, settings)
    if args.afwijkingen:
        scores = scores[scores["afwijking"]]
    if args.output and args.output.suffix.lower() == ".xlsx":
        from basisop.io.tables import write_xlsx

        write_xlsx(scores, args.output, sheet="scores")
        print(f"{len(scores)} rijen geschreven naar {args.output}")
        return EXIT_OK
    if args.format == "csv":
        text = safe_frame(scores).to_csv(index=False, lineterminator="\n")
    elif args.format == "json":
        text = json.dumps(scores.to_dict("records"), ensure_ascii=False, indent=2) + "\n"
    else:
        columns = (["eenheid", "subthema", "oordeel", "berekend", "groen", "oranje", "rood"]
                   if args.afwijkingen else ["eenheid", "thema", "subthema", "status", "bron",
                                             "berekend", "fragmenten", "respondenten"])
        text = scores[columns].to_string(index=False) + "\n"
        if args.afwijkingen:
            text += f"{len(scores)} afwijkingen (regel: {settings.regel})\n"
    _emit(text, args.output)
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from basisop.io.scaffold import NewStudy, ScaffoldError, create_study, parse_unit

    try:
        units = tuple(parse_unit(text) for text in args.eenheid)
        written = create_study(args.folder, NewStudy(args.naam, units, args.districtspartners))
    except ScaffoldError as exc:
        print(f"fout: {exc}\nNiets geschreven.", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"fout: kan {args.folder} niet schrijven ({exc.strerror or exc}).",
              file=sys.stderr)
        return EXIT_FAILED
    print(f"Nieuwe studie in {args.folder}:")
    for path in written:
        print(f"  {path.name}")
    print(f"Codeer in {written[-1]}, dan: basisop validate {written[0]}, "
          f"basisop run {written[0]}")
    return EXIT_OK


def _actions(args: argparse.Namespace) -> int:
    from basisop.io.actions import actions_workbook
    from basisop.io.atomic import atomic_write_bytes
    from basisop.io.dataset import load_valid

    data = load_valid(args.study)
    target = args.xlsx
    if target.suffix.lower() != ".xlsx":
        print(f"fout: {target}: verwacht een bestandsnaam op .xlsx", file=sys.stderr)
        return EXIT_FAILED
    from basisop.io.paths import study_inputs

    if target.resolve() in {p.resolve() for p in study_inputs(data.study)}:
        print(f"fout: {target} is een invoerbestand van de studie en wordt niet overschreven; "
              "kies een andere naam.", file=sys.stderr)
        return EXIT_FAILED
    actions, progress = data.actions.frame, data.progress.frame
    try:
        atomic_write_bytes(target, actions_workbook(data.study, actions, progress))
    except OSError as exc:
        print(f"fout: kan {target} niet schrijven ({exc.strerror or exc}).", file=sys.stderr)
        return EXIT_FAILED
    print(f"{len(actions)} acties en {len(progress)} voortgangsregels geschreven naar {target}. "
          "Werk de status bij in Excel en noem het werkboek in het studiebestand onder "
          "'acties:' en 'voortgang:'.")
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from basisop.compare import FrameworkMismatch, compare
    from basisop.io.dataset import load_valid
    from basisop.io.tables import safe_frame

    try:
        comparison = compare(load_valid(args.old), load_valid(args.new))
    except FrameworkMismatch as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return EXIT_FAILED
    frame = comparison.frame()
    if args.format == "csv":
        text = safe_frame(frame).to_csv(index=False, lineterminator="\n")
    elif args.format == "json":
        text = json.dumps(frame.to_dict("records"), ensure_ascii=False, indent=2) + "\n"
    else:
        text = "\n".join(comparison.report_lines()) + "\n"
    _emit(text, args.output)
    return EXIT_OK


def _emit(text: str, output: Path | None) -> None:
    if output:
        from basisop.io.atomic import atomic_write_text
        atomic_write_text(output, text)
    else:
        sys.stdout.write(text)


def _run(args: argparse.Namespace) -> int:
    from basisop.batch import run_study

    result = run_study(args.study, out=args.out, jobs=args.jobs, units=args.eenheid,
                       timeout=args.timeout, pdf=args.pdf, changed_only=args.gewijzigd)
    return EXIT_OK if result.ok else EXIT_FAILED


def _codebook(args: argparse.Namespace) -> int:
    from basisop.io.paths import require_output_file, study_inputs
    from basisop.io.refi import write_codebook
    from basisop.io.study import load_study

    study = load_study(args.study)
    require_output_file(args.output, study_inputs(study))
    write_codebook(study, args.output)
    print(f"Codeboek geschreven: {args.output}")
    return EXIT_OK


def _import_qdpx(args: argparse.Namespace) -> int:
    from basisop.io.paths import require_output_file, study_inputs
    from basisop.io.refi import QdpxError, check_codings, import_project
    from basisop.io.study import load_study
    from basisop.io.tables import write_csv

    study = load_study(args.study)
    require_output_file(args.output, [*study_inputs(study), args.project])
    try:
        result = import_project(args.project, study, unit_variable=args.eenheid_variabele,
                                role_variable=args.rol_variabele)
    except QdpxError as exc:
        print(f"fout: {exc}\nNiets geschreven.", file=sys.stderr)
        return EXIT_FAILED
    for line in result.report_lines():
        print(line)
    refusal = _import_refusal(result, args.sla_over_toegestaan)
    if refusal:
        print(f"Niets geschreven: {refusal}", file=sys.stderr)
        return EXIT_FAILED
    try:
        write_csv(result.rows, args.output, private=True)
    except OSError as exc:
        return _write_failed(args.output, exc)
    print(f"{len(result.rows)} rijen geschreven naar {args.output}")
    if result.lost:
        print(f"Let op: {len(result.lost)} gecodeerde passage(s) niet omgezet (toegestaan met "
              "--sla-over-toegestaan).")
    check = check_codings(study, args.output)
    print(check.summary("Controle als 'basisop validate'"))
    for problem in check.problems:
        print(problem)
    if check.rejected:
        print(f"{check.rejected} rij(en) zouden worden afgewezen (redenen hierboven); pas het "
              "project of de studie aan, of verbeter de CSV.", file=sys.stderr)
    if result.errors:
        print(f"{len(result.errors)} fout(en) in het project (hierboven); los ze op in het "
              "QDA-pakket en lees opnieuw in.", file=sys.stderr)
    if check.rejected or result.errors:
        return EXIT_FAILED
    print("Geldig: voeg het bestand toe aan 'codering:' in het studiebestand.")
    return EXIT_OK


def _write_failed(path: Path, exc: OSError) -> int:
    """An OS fault while writing: said in Dutch; the write is atomic, so nothing half is left."""
    print(f"fout: {path} kan niet worden geschreven ({exc.strerror or exc}); niets geschreven.",
          file=sys.stderr)
    return EXIT_FAILED


def _import_refusal(result, loss_allowed: bool) -> str:
    """Why nothing may be written, or '' (shifted fragments or silent loss are never written)."""
    if result.review:
        return ("de posities van minstens één bron passen bij geen enkele lezing (CONTROLE "
                "NODIG hierboven); de fragmenten zouden verschoven zijn.")
    if result.lost and not loss_allowed:
        return (f"{len(result.lost)} gecodeerde passage(s) kunnen niet worden omgezet "
                "(hierboven). Codeer ze in een tekstbron, of accepteer het verlies met "
                "--sla-over-toegestaan.")
    if result.rows.empty:
        return "geen enkele passage draagt een code uit het wegingskader."
    return ""


def _export_qdpx(args: argparse.Namespace) -> int:
    from basisop.io.dataset import load_valid
    from basisop.io.paths import require_output_file, study_inputs
    from basisop.io.refi import QdpxError, export_project

    data = load_valid(args.study)
    require_output_file(args.output, study_inputs(data.study))
    try:
        result = export_project(data, args.output, confidential=args.met_vertrouwelijk)
    except QdpxError as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        return _write_failed(args.output, exc)
    for line in result.report_lines():
        print(line)
    return EXIT_OK


def _check_privacy(args: argparse.Namespace) -> int:
    from basisop.batch.folder import recorded_study
    from basisop.privacy import check_paths, guard_for

    study = args.study
    if study is None:  # a reports folder names the study that produced it
        study, notes = recorded_study(args.paths)
        for note in notes:
            print(note, file=sys.stderr)
        if notes and study is None:
            return EXIT_FAILED
    guard, source = guard_for(study)
    print(f"Privacycontrole ({source}): zoekt naar {guard.describe()}.")
    for warning in guard.warnings:
        print(warning, file=sys.stderr)
    findings = check_paths(args.paths, guard)
    for finding in findings:
        print(finding)
    if findings:
        files = len({f.file for f in findings})
        print(f"{len(findings)} bevinding(en) in {files} bestand(en): niet verspreiden.",
              file=sys.stderr)
        return EXIT_FAILED
    print("Geen persoonsgegevens of vertrouwelijke tekst gevonden.")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ValidationError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"Ongeldig: {len(exc.problems)} fout(en).", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:  # checked early where possible; a fault during the work lands here
        from basisop.io.paths import os_reason

        print(f"fout: {os_reason(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Afgebroken; er is niets gepubliceerd dat half af is.", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
