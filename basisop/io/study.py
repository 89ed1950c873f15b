"""Loading a study file (params/<study>.yaml). Paths in it are relative to the study file."""

from __future__ import annotations

import re
from pathlib import Path

from basisop.io.framework import load_framework
from basisop.io.yamlfile import Fields, load_yaml
from basisop.model import (
    SCORING_RULES,
    STUDY_STATUSES,
    Exemption,
    Overlay,
    QdaMapping,
    ScoringSettings,
    Study,
    Unit,
    slugify,
)
from basisop.problems import Problem, ValidationError

# The embedded study: every command defaults to it.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STUDY = PROJECT_ROOT / "params" / "gooi-en-vechtstreek-2024.yaml"

_KEYS = {"id", "naam", "golf", "datum", "opdrachtgever", "wegingskader", "eenheden", "codering",
         "oordelen", "prioriteiten", "aanbevelingen", "respondenten", "scoring", "qda",
         "status", "versie", "periode", "werkwijze", "beperkingen", "privacy", "vorige_golf",
         "overlay", "acties", "voortgang"}
_OVERLAY_KEYS = {"codering", "aanbevelingen", "verwijderd", "regels", "bron_van", "bron_naar"}
_UNIT_KEYS = {"code", "naam", "soort", "gemeenten", "subthemas", "interviews", "toelichting",
              "regio"}
_UNIT_KINDS = ("gemeente", "district")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def load_study(path: Path | str | None = None) -> Study:
    """Read and check a study file and its framework; raise ValidationError with every fault."""
    path = Path(path) if path is not None else DEFAULT_STUDY
    problems: list[Problem] = []
    top = Fields(path, load_yaml(path), "studie", problems)
    top.unknown_keys(_KEYS)
    base = path.parent

    def existing(value: str, key: str) -> Path:
        try:
            resolved = (base / value).resolve()
        except (OSError, RuntimeError):  # Python 3.11 says RuntimeError for a symlink loop
            top.fail(f"bestand '{value}': symbolische koppelingen verwijzen in een kring naar "
                     "elkaar", key)
            return base / value
        if not resolved.exists():
            top.fail(f"bestand '{value}' bestaat niet ({resolved})", key)
        return resolved

    def file(key: str, *, required: bool = False) -> Path | None:
        value = top.text(key, required=required)
        return existing(value, key) if value else None

    framework_path = file("wegingskader", required=True)
    framework = None
    if framework_path is not None and framework_path.exists():
        try:
            framework = load_framework(framework_path)
        except ValidationError as exc:
            problems += exc.problems
    codings, sheets = [], {}
    for i, entry in enumerate(top.items("codering")):
        # An entry is a path, or {bestand: path, werkblad: sheet} for a workbook of several.
        fields = Fields(path, entry if isinstance(entry, dict) else {"bestand": entry},
                        f"codering[{i}]", problems)
        fields.unknown_keys({"bestand", "werkblad"})
        resolved = existing(fields.text("bestand"), "codering")
        codings.append(resolved)
        if fields.text("werkblad", required=False):
            sheets[resolved] = fields.text("werkblad")
    units = tuple(_unit(path, raw, f"eenheden[{i}]", framework, problems)
                  for i, raw in enumerate(top.items("eenheden")))
    _check_unit_codes(path, units, problems)
    _check_regions(path, units, problems)
    study_id = top.text("id")
    if study_id and not _ID.fullmatch(study_id):
        top.fail("verwacht letters, cijfers, '-' of '_' (het id wordt een mapnaam)", "id")
    status = top.text("status", required=False, default="definitief")
    if status not in STUDY_STATUSES:
        top.fail(f"verwacht {' of '.join(STUDY_STATUSES)}", "status")
    study = Study(
        id=study_id,
        naam=top.text("naam"),
        golf=top.text("golf"),
        path=path.resolve(),
        framework=framework,  # type: ignore[arg-type]  # None only when problems are raised
        eenheden=units,
        codering=tuple(codings),
        werkbladen=sheets,
        oordelen=file("oordelen"),
        prioriteiten=file("prioriteiten"),
        aanbevelingen=file("aanbevelingen"),
        respondenten=file("respondenten"),
        datum=top.text("datum", required=False),
        opdrachtgever=top.text("opdrachtgever", required=False),
        status=status,
        versie=top.text("versie", required=False),
        periode=top.text("periode", required=False),
        werkwijze=top.text("werkwijze", required=False),
        beperkingen=top.text("beperkingen", required=False),
        scoring=_scoring(path, top.mapping.get("scoring"), problems),
        qda=_qda(path, top.mapping.get("qda"), problems),
        vorige_golf=file("vorige_golf"),
        overlay=_overlay(path, top.mapping.get("overlay"), existing, problems),
        acties=file("acties"),
        voortgang=file("voortgang"),
        wegingskader=framework_path,
        toegestaan=_exemptions(path, top.mapping.get("privacy"), problems),
    )
    if problems:
        raise ValidationError(problems)
    return study


def _unit(path: Path, raw, where: str, framework, problems: list[Problem]) -> Unit:
    fields = Fields(path, raw, where, problems)
    fields.unknown_keys(_UNIT_KEYS)
    kind = fields.text("soort", required=False, default="gemeente")
    if kind not in _UNIT_KINDS:
        fields.fail(f"verwacht {' of '.join(_UNIT_KINDS)}", "soort")
    covered = None
    if "subthemas" in fields.mapping:
        covered = []
        if not fields.text_list("subthemas"):
            fields.fail("lege lijst: noem de subthema's die de eenheid beoordeelt, of laat de "
                        "sleutel weg voor alle", "subthemas")
        for name in fields.text_list("subthemas"):
            subtheme = framework.subtheme(name) if framework else None
            if framework and subtheme is None:
                fields.fail(f"onbekend subthema '{name}'", "subthemas")
            covered.append(subtheme.id if subtheme else name)
    name = fields.text("naam")
    interviews = (fields.integer("interviews", default=0, minimum=0)
                  if "interviews" in fields.mapping else None)
    return Unit(code=fields.text("code"), naam=name, soort=kind,
                gemeenten=tuple(fields.text_list("gemeenten")) or (name,),
                subthemas=tuple(covered) if covered is not None else None,
                interviews=interviews, toelichting=fields.text("toelichting", required=False),
                regio=fields.text("regio", required=False))


def _check_unit_codes(path: Path, units: tuple[Unit, ...], problems: list[Problem]) -> None:
    seen: set[str] = set()
    for unit in units:
        for key in {unit.code.casefold(), unit.slug}:
            if key in seen:
                problems.append(Problem(str(path), f"eenheid '{unit.code}' ({unit.naam}) komt "
                                                   "meer dan eens voor"))
            seen.add(key)


def _check_regions(path: Path, units: tuple[Unit, ...], problems: list[Problem]) -> None:
    """All units in a region or none: a unit left out would silently miss every comparison.
    Two names that give one file name would overwrite each other's page."""
    missing = [u.code for u in units if not u.regio]
    if missing and len(missing) < len(units):
        problems.append(Problem(str(path), "eenheden zonder regio terwijl andere er een hebben: "
                                f"{', '.join(missing)}; geef elke eenheid een regio of geen"))
    names: dict[str, str] = {}
    for unit in units:
        if not unit.regio:
            continue
        slug = slugify(unit.regio)
        if not slug:
            problems.append(Problem(str(path), f"regio '{unit.regio}' van eenheid '{unit.code}' "
                                               "bevat geen letters of cijfers"))
        elif names.setdefault(slug, unit.regio) != unit.regio:
            problems.append(Problem(str(path), f"regio's '{names[slug]}' en '{unit.regio}' krijgen "
                                               "dezelfde bestandsnaam; kies één schrijfwijze"))


def _scoring(path: Path, raw, problems: list[Problem]) -> ScoringSettings:
    if raw is None:
        return ScoringSettings()
    fields = Fields(path, raw, "scoring", problems)
    fields.unknown_keys({"regel", "minimum_fragmenten"})
    rule = fields.text("regel", required=False, default="meerderheid")
    if rule not in SCORING_RULES:
        fields.fail(f"onbekende regel '{rule}'; kies uit {', '.join(SCORING_RULES)}", "regel")
    minimum = fields.integer("minimum_fragmenten", default=1, minimum=1)
    return ScoringSettings(regel=rule, minimum_fragmenten=minimum)


def _qda(path: Path, raw, problems: list[Problem]) -> QdaMapping:
    """Defaults for `basisop import-qdpx`; its command-line options take precedence."""
    if raw is None:
        return QdaMapping()
    fields = Fields(path, raw, "qda", problems)
    fields.unknown_keys({"eenheid_variabele", "rol_variabele"})
    return QdaMapping(
        eenheid_variabele=fields.text("eenheid_variabele", required=False) or None,
        rol_variabele=fields.text("rol_variabele", required=False) or None)


def _overlay(path: Path, raw, existing, problems: list[Problem]) -> Overlay | None:
    """What this version changes in the tables it shares with another (see model.Overlay)."""
    if raw is None:
        return None
    fields = Fields(path, raw, "overlay", problems)
    fields.unknown_keys(_OVERLAY_KEYS)

    def file(key: str) -> Path | None:
        value = fields.text(key, required=False)
        return existing(value, f"overlay.{key}") if value else None

    overlay = Overlay(codering=file("codering"), aanbevelingen=file("aanbevelingen"),
                      verwijderd=tuple(fields.text_list("verwijderd")), regels=file("regels"),
                      bron_van=fields.text("bron_van", required=False),
                      bron_naar=fields.text("bron_naar", required=False))
    if overlay.regels and not (overlay.bron_van and overlay.bron_naar):
        fields.fail("'regels' verschuift regelnummers van 'bron_van' naar 'bron_naar': "
                    "geef beide", "regels")
    return overlay


def _exemptions(path: Path, raw, problems: list[Problem]) -> tuple[Exemption, ...]:
    """`privacy: toegestaan:` texts the gate lets pass, each with the reviewer's reason."""
    if raw is None:
        return ()
    fields = Fields(path, raw, "privacy", problems)
    fields.unknown_keys({"toegestaan"})
    exemptions = []
    for i, entry in enumerate(fields.items("toegestaan")):
        item = Fields(path, entry, f"privacy.toegestaan[{i}]", problems)
        item.unknown_keys({"tekst", "reden"})
        text, reason = item.text("tekst"), item.text("reden")
        if item.ok and "tekst" in item.mapping and not text:
            item.fail("lege tekst", "tekst")
        if item.ok and "reden" in item.mapping and not reason:
            item.fail("lege reden: zeg waarom deze tekst na controle mag blijven", "reden")
        if text and reason:
            exemptions.append(Exemption(text, reason))
    return tuple(exemptions)
