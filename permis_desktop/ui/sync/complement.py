"""The agency's complement request, shown in the dossier editor.

When the agency answers "complément demandé", the feed (sync/feed.py) marks exactly the
named pieces `missing` and keeps the agency's message in the dossier's history. The editor
then shows a banner with the message and the pieces to redo (links to them), and each
re-opened piece whose old pages are still attached offers to replace them: pages attached
to a piece are added to those already there, which is right for a second side, wrong for a
document the agency refused. Validating again sends the dossier as a new version.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from permis_desktop.services.dossiers import DossierDetail
from permis_desktop.ui.sync.notifier import piece_labels

log = logging.getLogger(__name__)

STATUS = "complement_requested"
# The history line written by sync/feed.py `describe()` (tested against it).
_LINE = re.compile(
    r"^Complément demandé par l'agence \(pièces à refaire : (?P<pieces>[^)]*)\)\.\s*(?P<message>.*)$",
    re.DOTALL,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("sync", text)


@dataclass(frozen=True)
class ComplementRequest:
    message: str
    pieces: list[str]


def complement_request(detail: DossierDetail) -> ComplementRequest | None:
    """The latest complement request of the agency, while the dossier waits for it."""
    if detail.status != STATUS:
        return None
    event = next(
        (e for e in reversed(detail.history) if e.to_status == STATUS and e.source == "server"),
        None,
    )
    missing = [p.kind for p in detail.pieces if p.status == "missing"]
    if event is None:
        return ComplementRequest("", missing)
    match = _LINE.match(event.message or "")
    if match is None:
        return ComplementRequest(event.message, missing)
    named = [k.strip() for k in match.group("pieces").split(",") if k.strip()]
    if named == ["aucune pièce désignée"]:
        named = []
    return ComplementRequest(match.group("message").strip(), named)


class ComplementBanner(QFrame):
    def __init__(self, editor: Any) -> None:
        super().__init__()
        self.editor = editor
        self.setObjectName("complement_banner")
        self.setStyleSheet(
            "#complement_banner { background: #FBE9E7; border: 1px solid #F4511E; "
            "border-radius: 4px; } #complement_banner QLabel { color: #3E2723; }"
        )
        self.text = QLabel()
        self.text.setObjectName("complement_text")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.text.linkActivated.connect(self._on_link)
        self.go = QPushButton(_tr("Aller aux pièces"))
        self.go.setObjectName("complement_go_to_pieces")
        self.go.clicked.connect(self._go_to_pieces)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.go)
        self.request: ComplementRequest | None = None
        self.hide()

    def show_request(self, request: ComplementRequest | None, version: int) -> None:
        self.request = request
        if request is None:
            self.hide()
            return
        from permis_desktop.procedures.catalog import PIECE_KINDS

        links = ", ".join(
            f'<a href="piece:{html.escape(k)}">'
            f"{html.escape(PIECE_KINDS[k].label if k in PIECE_KINDS else k)}</a>"
            for k in request.pieces
        )
        parts = [f"<b>{html.escape(_tr('L’agence demande un complément.'))}</b>"]
        if request.message:
            parts.append(
                html.escape(
                    _tr("Message de l’agence : « {message} »").format(message=request.message)
                )
            )
        if links:
            parts.append(html.escape(_tr("Pièces à refaire :")) + " " + links)
        parts.append(
            html.escape(
                _tr(
                    "Refaites ces pièces, puis validez à nouveau sur le récapitulatif : le "
                    "dossier repartira vers l’agence en nouvelle version (il en est à la {n})."
                ).format(n=version)
            )
        )
        self.text.setText("<br>".join(parts))
        self.setAccessibleDescription(self.text.text())
        self.show()

    def _go_to_pieces(self) -> None:
        """The first piece to redo, or the pieces page when the agency named none."""
        if self.request is not None and self.request.pieces:
            self.editor.focus_piece(self.request.pieces[0])
        else:
            self.editor.go_to("pieces")

    def _on_link(self, link: str) -> None:
        kind, _, target = link.partition(":")
        if kind == "piece":
            self.editor.focus_piece(target)


class ReplaceOffer(QFrame):
    """In a re-opened piece's row: its old pages are still attached; offer to remove them."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.setObjectName(f"replace_offer:{kind}")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton(_tr("Retirer les anciennes pages"))
        self.button.setObjectName(f"replace_pages:{kind}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_counts(self, old: int, new: int) -> None:
        if not old:
            self.hide()
            return
        if new:
            self.text.setText(
                _tr(
                    "{new} nouvelle(s) page(s) ajoutée(s) aux {old} ancienne(s) que l’agence a "
                    "refusées. Remplacer les anciennes par les nouvelles ?"
                ).format(new=new, old=old)
            )
            self.button.setText(_tr("Remplacer les anciennes pages"))
        else:
            self.text.setText(
                _tr(
                    "À refaire à la demande de l’agence : les {old} ancienne(s) page(s) sont "
                    "encore jointes, et les nouvelles s’y ajouteront. Retirez-les pour repartir "
                    "de zéro."
                ).format(old=old)
            )
            self.button.setText(_tr("Retirer les anciennes pages"))
        self.button.setEnabled(True)
        self.show()


class ComplementView:
    """The banner and the offers of one editor; follows its status and its pieces."""

    def __init__(self, editor: Any, detail: DossierDetail) -> None:
        self.editor = editor
        self.banner = ComplementBanner(editor)
        editor.layout().insertWidget(1, self.banner)  # below the title line
        self.request = complement_request(detail)
        self.version = detail.version
        named = set(self.request.pieces) if self.request else set()
        # The pages the agency refused: those of a named piece still waiting to be redone.
        self.old: dict[str, set[str]] = {
            p.kind: {pg.original_sha256 for pg in p.pages}
            for p in detail.pieces
            if p.kind in named and p.status == "missing" and p.pages
        }
        self.pages: dict[str, list[str]] = {
            p.kind: [pg.original_sha256 for pg in p.pages] for p in detail.pieces
        }
        self.offers: dict[str, ReplaceOffer] = {}
        self.banner.show_request(self.request, self.version)
        editor.pieces_page.pieces_changed.connect(self._on_pieces)
        editor.dossier_changed.connect(lambda _id: self._on_status())
        self._show_offers()

    def _on_status(self) -> None:
        if self.editor.status != STATUS:
            self.banner.hide()
            for offer in self.offers.values():
                offer.hide()

    def _on_pieces(self, detail: DossierDetail) -> None:
        self.pages = {p.kind: [pg.original_sha256 for pg in p.pages] for p in detail.pieces}
        self.version = detail.version
        self._show_offers()

    def _show_offers(self) -> None:
        page = self.editor.pieces_page
        for kind, old in self.old.items():
            row = page.rows.get(kind)
            if row is None:
                continue
            offer = self.offers.get(kind)
            if offer is None:
                offer = ReplaceOffer(kind)
                offer.button.clicked.connect(lambda _c=False, k=kind: self.replace(k))
                row.layout().addWidget(offer)
                self.offers[kind] = offer
            current = self.pages.get(kind, [])
            still = sum(1 for sha in current if sha in old)
            offer.show_counts(still, len(current) - still)
            if self.editor.status != STATUS or not self.editor.editable:
                offer.hide()

    def replace(self, kind: str) -> None:
        """Remove the refused pages of `kind`, keeping any new one (on the database thread)."""
        from permis_desktop.services.dossiers import DossierService
        from permis_desktop.services.pieces import PieceService

        old = set(self.old.get(kind, set()))
        ctx, dossier_id, page = self.editor.ctx, self.editor.dossier_id, self.editor.pieces_page
        offer = self.offers[kind]
        offer.button.setEnabled(False)

        def remove(_state: Any) -> DossierDetail:
            pieces = PieceService(ctx)
            # Each removal renumbers the remaining pages: look them up again every time.
            while True:
                left = [p for p in pieces.pages_of(dossier_id, kind) if p.original_sha256 in old]
                if not left:
                    break
                pieces.delete_page(left[0].id)
            service = DossierService(ctx.db)
            service.refresh_list_columns(dossier_id)
            return service.get(dossier_id)

        def done(detail: DossierDetail) -> None:
            log.info("dossier %s: refused pages of %s removed", dossier_id, kind)
            page._set_pieces(detail.pieces)
            page.pieces_changed.emit(detail)

        def failed(exc: BaseException) -> None:
            offer.button.setEnabled(True)
            offer.text.setText(
                _tr("Les anciennes pages n’ont pas pu être retirées : {e}").format(e=exc)
            )

        self.editor.worker.run_task(remove, on_success=done, on_error=failed, owner=page, pool="db")


def install_complement(editor: Any, detail: DossierDetail) -> ComplementView:
    view = ComplementView(editor, detail)
    editor.complement = view
    return view


__all__ = ["ComplementRequest", "complement_request", "install_complement", "piece_labels"]
