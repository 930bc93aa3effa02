"""The papers handed to the student: what to bring, the mandate, the hosting attestation.

- "Pièces à fournir": one page, from the rules engine, personalised (procedure, what is still
  missing, why, which documents are accepted).
- The mandat papier (since April 2018): the student authorises the school to file for them;
  there is then no validation click by the student, only the school answers a "recueil
  complémentaire" and downloads the récépissé and the attestation d'inscription; the signed
  mandate stays at the school at least 6 months and is not uploaded; a request filed with a
  mandate cannot be transferred to another school; no mandate for an applicant living in a
  regional-tax territory (Corse, DOM except Guadeloupe). Source: ANTS école de conduite help
  and the Rhône "Mise en service du mandat papier" page (reference/domain-ants.md §0, §1.7).
- The attestation d'hébergement: hosted applicants and minors prove their address with the
  host's sworn statement, dated and signed by both, plus the host's ID and proof of address
  (F31847, domain-ants.md §1.6).

Every function returns the PDF's bytes; the UI previews and prints them, the CLI writes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from permis_desktop.errors import BadInput
from permis_desktop.outputs import people
from permis_desktop.outputs.pdfbase import Document, SchoolInfo, long_date, short_date
from permis_desktop.procedures.checklist import Checklist, RuleOptions, evaluate
from permis_desktop.procedures.facts import Facts, Person, parse_facts
from permis_desktop.procedures.pieces import PROVIDED

STATUS_WORDS = {
    "missing": "à fournir",
    "expired": "la pièce fournie est périmée",
    "too_old": "la pièce fournie est trop ancienne",
    "provided": "reçue",
}
# Retention of the signed mandate at the school (ANTS: "au moins 6 mois").
MANDATE_RETENTION_MONTHS = 6


def _facts(facts: Facts | Mapping[str, Any]) -> Facts:
    return facts if isinstance(facts, Facts) else parse_facts(facts)


def _subject(facts: Facts) -> str:
    a = facts.applicant
    line = people.full_name(a)
    birth = people.birth_text(a)
    return f"{line}, {birth}" if birth else line


def _procedure_line(checklist: Checklist, facts: Facts) -> str:
    cats = people.categories_text(facts.categories)
    return f"{checklist.procedure_label}" + (f" – catégorie(s) {cats}" if cats else "")


# -- client checklist -----------------------------------------------------------------------


def client_checklist_pdf(
    facts: Facts | Mapping[str, Any],
    school: SchoolInfo,
    today: dt.date,
    options: RuleOptions | None = None,
) -> bytes:
    """ "Pièces à fournir": one A4 page listing what the student still has to bring.

    The font shrinks until everything fits on one page (a checklist that spills over a
    second sheet gets lost)."""
    typed = _facts(facts)
    checklist = evaluate(typed, today=today, options=options)
    data = b""
    for size in (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5):
        doc = _checklist_document(typed, checklist, school, today, size)
        data = doc.render()
        if doc.page_no() <= 1:
            return data
    return data


def _checklist_document(
    facts: Facts, checklist: Checklist, school: SchoolInfo, today: dt.date, size: float
) -> Document:
    doc = Document("Pièces à fournir", school, today)
    doc.base_size = size
    doc.add_page()
    doc.title_block("Pièces à fournir", f"Liste établie le {long_date(today)}")
    doc.rows(
        [
            ("Élève", _subject(facts)),
            ("Démarche", _procedure_line(checklist, facts)),
        ],
        label_width=30,
    )
    doc.ln(2)
    todo = [p for p in checklist.pieces if p.required and p.status != PROVIDED]
    optional = [p for p in checklist.pieces if not p.required and p.status != PROVIDED]
    done = [p for p in checklist.pieces if p.status == PROVIDED]
    missing_facts = [p for p in checklist.problems if p.code == "missing_field"]
    if not todo and not missing_facts:
        doc.paragraph("Votre dossier est complet : aucune pièce ne manque.", bold=True)
    else:
        contact = school.email or school.phone
        how = (
            f" Apportez-les à l'école ou envoyez-les à {contact} (photo ou scan lisible, "
            "en entier)."
            if contact
            else " Apportez-les à l'école (originaux ou copies lisibles, en entier)."
        )
        doc.paragraph(
            "Pour que l'école dépose votre demande auprès de l'ANTS, il manque encore les "
            "pièces suivantes." + how
        )
        doc.ln(1)
    for line in todo:
        _piece_item(
            doc,
            line.label,
            STATUS_WORDS.get(line.status, line.status),
            line.reason,
            line.accepted,
            line.detail,
        )
    if missing_facts:
        doc.heading("Informations à nous communiquer")
        for problem in missing_facts:
            doc.paragraph(f"☐  {problem.message}")
    if optional:
        doc.heading("Si votre situation le demande")
        for line in optional:
            _piece_item(doc, line.label, "selon votre situation", line.reason, line.accepted, "")
    if done:
        doc.ln(1)
        doc.paragraph(
            "Déjà reçu : " + ", ".join(p.label for p in done) + ".", size=doc.base_size - 1
        )
    return doc


def _piece_item(
    doc: Document, label: str, status: str, reason: str, accepted: str, detail: str
) -> None:
    lh = doc.line_height()
    if doc.will_page_break(lh * 4):
        doc.add_page()
    doc.paragraph(f"☐  {label} ({status})", bold=True)
    indent = 6
    for caption, text in (
        ("Pourquoi : ", reason),
        ("Documents acceptés : ", accepted),
        ("Remarque : ", detail),
    ):
        if not text:
            continue
        doc.set_x(doc.l_margin + indent)
        doc.multi_cell(
            doc.epw - indent,
            lh,
            _md_escape(caption, bold=True) + _md_escape(text),
            markdown=True,
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    doc.ln(1.5)


def _md_escape(text: str, bold: bool = False) -> str:
    from permis_desktop.outputs.pdfbase import clean

    value = clean(text).replace("**", "* *").replace("__", "_ _").replace("--", "- -")
    return f"**{value}**" if bold else value


# -- mandate --------------------------------------------------------------------------------


def mandate_warning(facts: Facts | Mapping[str, Any], today: dt.date) -> str | None:
    """The rules engine's `mandate_not_allowed` message for this applicant, whether or not the
    dossier asks for a mandate yet (the desk warns before the paper is signed)."""
    typed = dataclasses.replace(_facts(facts), mandate=True)
    checklist = evaluate(typed, today=today)
    for problem in checklist.problems:
        if problem.code == "mandate_not_allowed":
            return problem.message
    return None


def _signer(facts: Facts, checklist: Checklist) -> Person | None:
    """The legal representative signs for a minor or a person under guardianship."""
    a = facts.applicant
    minor = checklist.age is not None and checklist.age < 18
    if (minor or a.under_guardianship) and facts.legal_representative is not None:
        return facts.legal_representative
    return None


def mandate_pdf(facts: Facts | Mapping[str, Any], school: SchoolInfo, today: dt.date) -> bytes:
    """The paper mandate, pre-filled, for the student (or the legal representative) to sign."""
    typed = _facts(facts)
    checklist = evaluate(typed, today=today)
    warning = mandate_warning(typed, today)
    a = typed.applicant
    doc = Document(
        "Mandat",
        school,
        today,
        footer_note="Mandat conservé par l'école au moins 6 mois – ne pas joindre à la demande",
    )
    doc.add_page()
    doc.title_block(
        "Mandat",
        "pour effectuer une démarche de permis de conduire en ligne auprès de l'Agence "
        "nationale des titres sécurisés (ANTS)",
    )
    if warning:
        doc.notice("Attention : " + warning + " Ne faites pas signer ce mandat.")
    signer = _signer(typed, checklist)
    address = people.address_text(a.address) or "________________________________________"
    birth = people.birth_text(a, a.birth_place)
    if signer is not None:
        quality = signer.quality or "représentant légal"
        doc.paragraph(
            f"Je {people.undersigned(signer)} {people.full_name(signer)}, agissant en qualité "
            f"de {quality} de {people.full_name(a)}"
            + (f", {birth}" if birth else "")
            + f", demeurant {address},"
        )
    else:
        doc.paragraph(
            f"Je {people.undersigned(a)} {people.full_name(a)}"
            + (f", {birth}" if birth else "")
            + f", demeurant {address},"
        )
    doc.ln(1)
    school_text = school.name or "________________________________"
    if school.address:
        school_text += f", {school.address}"
    approval = school.approval_number or "______________"
    doc.paragraph(
        f"donne mandat à l'école de conduite {school_text}, agréée sous le numéro {approval}, "
        "pour effectuer en mon nom, sur le site de l'ANTS, la démarche suivante :"
    )
    doc.ln(1)
    doc.rows(
        [
            ("Démarche", checklist.procedure_label),
            ("Catégorie(s)", people.category_labels(typed.categories) or "—"),
        ],
        label_width=35,
    )
    doc.ln(1)
    doc.paragraph(
        "J'autorise l'école à saisir et déposer la demande et les pièces justificatives, à "
        "répondre aux demandes de pièces complémentaires et à recevoir le récépissé de dépôt "
        "et l'attestation d'inscription."
    )
    doc.ln(1)
    doc.paragraph("J'ai bien noté que :", bold=True)
    for item in (
        "je n'aurai pas à valider la demande en ligne : seule l'école peut compléter le "
        "dossier si l'ANTS le demande ;",
        "une demande déposée avec ce mandat ne peut pas être transférée à une autre école ;",
        "ce mandat est conservé par l'école au moins 6 mois et n'est pas transmis à l'ANTS.",
    ):
        doc.paragraph(f"–  {item}")
    contact = a.email or a.mobile
    if signer is not None:
        contact = signer.email or signer.mobile or contact
    if contact:
        doc.ln(1)
        doc.paragraph(f"L'ANTS me tiendra informé(e) de l'avancement à : {contact}.")
    doc.ln(3)
    doc.paragraph(f"Fait à ____________________, le {short_date(today)}")
    doc.ln(3)
    doc.signature_boxes(
        (
            "Le représentant légal" if signer is not None else "Le demandeur",
            "Signature précédée de la mention « Bon pour mandat »",
        ),
        ("Pour l'école de conduite", "Nom, cachet et signature"),
    )
    return doc.render()


# -- hosting attestation --------------------------------------------------------------------


def hosting_needed(facts: Facts | Mapping[str, Any], today: dt.date) -> bool:
    typed = _facts(facts)
    checklist = evaluate(typed, today=today)
    return typed.applicant.hosted or (checklist.age is not None and checklist.age < 18)


def hosting_attestation_pdf(
    facts: Facts | Mapping[str, Any], school: SchoolInfo, today: dt.date
) -> bytes:
    """Attestation d'hébergement for the host (a parent, for a minor) to sign, with the
    applicant. BadInput when the applicant is neither hosted nor a minor."""
    typed = _facts(facts)
    checklist = evaluate(typed, today=today)
    a = typed.applicant
    minor = checklist.age is not None and checklist.age < 18
    if not (a.hosted or minor):
        raise BadInput(
            "Le demandeur n'est ni hébergé ni mineur : l'attestation d'hébergement n'est pas "
            "nécessaire."
        )
    host: Person | None = typed.host
    host_is_parent = False
    if host is None and minor and typed.legal_representative is not None:
        host, host_is_parent = typed.legal_representative, True
    # The applicant lives at the host's: the dossier's address is the host's address.
    address = a.address
    if host_is_parent and host is not None and host.address is not None:
        address = host.address
    doc = Document("Attestation d'hébergement", school, today, letterhead=False)
    doc.add_page()
    doc.title_block(
        "Attestation d'hébergement",
        "Attestation sur l'honneur à joindre à une demande de permis de conduire",
    )
    blank = "________________________________"
    if host is not None:
        host_name = people.full_name(host)
        host_birth = people.birth_text(host)
        who = f"Je {people.undersigned(host)} {host_name}" + (
            f", {host_birth}" if host_birth else ""
        )
    else:
        who = f"Je soussigné(e) {blank}, né(e) le ____/____/________"
    lines = people.address_lines(address) or [blank, blank]
    relation = ""
    if host_is_parent and host is not None and host.quality:
        relation = f" ({host.quality})"
    doc.paragraph(f"{who}{relation}, demeurant {', '.join(lines)},")
    doc.ln(1)
    birth = people.birth_text(a, a.birth_place)
    doc.paragraph(
        "atteste sur l'honneur héberger à mon domicile, à l'adresse ci-dessus, "
        f"{people.full_name(a)}"
        + (f", {birth}" if birth else "")
        + ", depuis le ____/____/________."
    )
    doc.ln(2)
    doc.paragraph(
        "Je joins une copie de ma pièce d'identité et un justificatif de domicile de moins de "
        "6 mois à mon nom (facture d'eau, d'électricité, de gaz ou de téléphone, avis "
        "d'imposition ou quittance de loyer non manuscrite)."
    )
    doc.ln(2)
    doc.paragraph(
        "Je suis informé(e) qu'une fausse attestation expose son auteur aux sanctions prévues "
        "par l'article 441-7 du code pénal.",
        size=doc.base_size - 1,
    )
    doc.ln(4)
    doc.paragraph("Fait à ____________________, le ____/____/________")
    doc.ln(3)
    doc.signature_boxes(
        ("L'hébergeant", "Signature"),
        ("Le demandeur" if not minor else "Le demandeur (ou son représentant légal)", "Signature"),
    )
    return doc.render()
