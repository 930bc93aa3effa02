"""The home list: SQL sort, filters, counts bar, paging, badges, opening a dossier."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from permis_desktop.models.entities import Dossier
from permis_desktop.services.dossiers import DossierRow, DossierService
from permis_desktop.ui import dossier_list
from permis_desktop.ui.dossier_model import DossierTableModel, readable_text_colour
from permis_desktop.ui.labels import status_count
from tests.ui.helpers import open_window

PEOPLE = [
    ("exam_registration_first", ["B"], "Lefèvre", "Chloé", "2006-08-30", "draft"),
    ("exam_registration_first", ["B"], "Martin", "Léa", "1996-05-14", "draft"),
    ("licence_after_exam_first", ["B"], "Nguyen", "Thomas", "2001-02-03", "ready"),
    ("licence_after_training_am", ["AM"], "Durand", "Inès", "2011-06-02", "in_review"),
    (
        "exam_registration_extension",
        ["A2"],
        "Benali",
        "Yanis",
        "2001-11-23",
        "complement_requested",
    ),
]


def _seed(desk) -> dict[str, str]:
    service = DossierService(desk.db)
    ids = {}
    for procedure, categories, name, given, birth, status in PEOPLE:
        dossier_id = service.create(
            {
                "procedure": procedure,
                "categories": categories,
                "applicant": {
                    "birth_name": name,
                    "given_names": [given],
                    "birth_date": birth,
                    "email": f"{given.lower()}@example.fr",
                    "mobile": "0612345678",
                },
            }
        )
        if status != "draft":
            with desk.db.transaction() as session:
                session.get(Dossier, dossier_id).status = status
        ids[name] = dossier_id
    return ids


def _names(window) -> list[str]:
    return [window.model.row_at(i).applicant for i in range(window.model.rowCount())]


def _row(i: int) -> DossierRow:
    return DossierRow(
        id=f"id-{i}",
        applicant=f"NOM{i}",
        birth_date="2000-01-01",
        procedure="exam_registration_first",
        categories=["B"],
        status="draft",
        updated_at=dt.datetime(2026, 11, 1, 9, i),
        version=1,
        pieces_done=i,
        pieces_required=5,
    )


def test_paged_model_passes_qtmodeltester_and_asks_for_the_next_page(qtmodeltester) -> None:
    model = DossierTableModel()
    model.set_rows([_row(i) for i in range(3)], total=5)
    wanted: list[int] = []
    model.more_wanted.connect(wanted.append)
    assert model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)  # the tester fetches more: the model asks once, then waits
    model.fetchMore(QModelIndex())
    assert wanted == [3] and not model.canFetchMore(QModelIndex())
    model.append_rows([_row(3), _row(4)])
    qtmodeltester.check(model)
    assert model.rowCount() == 5 and not model.canFetchMore(QModelIndex())
    assert model.data(model.index(4, 4)) == "4/5"
    sorts: list[tuple[str, bool]] = []
    model.sort_requested.connect(lambda key, desc: sorts.append((key, desc)))
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert sorts == [("applicant", True)]


def test_badge_text_colour_is_readable_on_every_status_colour() -> None:
    assert readable_text_colour(QColor("#9E9E9E")).name() == "#000000"
    assert readable_text_colour(QColor("#3949AB")).name() == "#ffffff"
    assert readable_text_colour(QColor("#FFEB3B")).name() == "#000000"


def test_list_shows_french_labels_counts_and_filters(qtbot, desk, worker) -> None:
    _seed(desk)
    window = open_window(qtbot, desk, worker)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)
    labels = {window.model.data(window.model.index(r, 1)) for r in range(5)}
    assert "Inscription au permis, primo-accédant" in labels
    statuses = {window.model.data(window.model.index(r, 3)) for r in range(5)}
    assert {"Brouillon", "Prêt à envoyer", "En cours d'instruction"} <= statuses
    counts = window.list_page.counts.text()
    assert "2 brouillons" in counts and "1 prêt" in counts and "1 en instruction" in counts
    assert "1 complément demandé" in counts
    assert status_count("complement_requested", 2) == "2 compléments demandés"

    # A count is a link that filters the list by its status.
    window.list_page._on_count_link("status:draft")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert sorted(_names(window)) == ["LEFÈVRE Chloé", "MARTIN Léa"]
    window.list_page.status_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)

    procedures = window.list_page.procedure_filter
    procedures.setCurrentIndex(procedures.findData("licence_after_training_am"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert _names(window) == ["DURAND Inès"]
    procedures.setCurrentIndex(0)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)


def test_search_by_name_birth_date_phone_without_accents(qtbot, desk, worker) -> None:
    _seed(desk)
    window = open_window(qtbot, desk, worker)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)
    for query, expected in (
        ("lefevre", ["LEFÈVRE Chloé"]),
        ("INES", ["DURAND Inès"]),
        ("30/08/2006", ["LEFÈVRE Chloé"]),
        ("thomas@example", ["NGUYEN Thomas"]),
    ):
        window.search.clear()
        qtbot.keyClicks(window.search, query)
        qtbot.waitUntil(lambda expected=expected: _names(window) == expected)
    window.search.setText("0612345678")
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)


def test_every_column_sorts_in_sql(qtbot, desk, worker) -> None:
    _seed(desk)
    window = open_window(qtbot, desk, worker)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)
    header = window.table.horizontalHeader()
    for column, key in enumerate(DossierTableModel.SORT_KEYS):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            header.setSortIndicator(column, order)
            descending = order == Qt.SortOrder.DescendingOrder
            qtbot.waitUntil(
                lambda key=key, descending=descending: (
                    window.list_page._query.order_by == key
                    and window.list_page._query.descending == descending
                    and window.model.rowCount() == 5
                )
            )
            expected = [
                r.applicant
                for r in DossierService(desk.db).list(order_by=key, descending=descending)
            ]
            qtbot.waitUntil(lambda expected=expected: _names(window) == expected)
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(
        lambda: (
            _names(window)
            == ["BENALI Yanis", "DURAND Inès", "LEFÈVRE Chloé", "MARTIN Léa", "NGUYEN Thomas"]
        )
    )


def test_list_pages_through_many_dossiers(qtbot, desk, worker, monkeypatch) -> None:
    monkeypatch.setattr(dossier_list, "PAGE_SIZE", 4)
    _seed(desk)
    _seed(desk)
    window = open_window(qtbot, desk, worker)
    # The view may ask for the next page as soon as the first one is in: >= 4, not == 4.
    qtbot.waitUntil(lambda: window.model.rowCount() >= 4)
    assert window.model.rowCount() % 4 == 0 or window.model.rowCount() == 10
    assert window.model.total == 10
    assert "10 dossier(s)" in window.status_count.text()

    def scrolled_to_the_end() -> bool:
        window.table.scrollToBottom()  # the view fetches the next page near the end
        window.model.fetchMore(QModelIndex())
        return window.model.rowCount() == 10

    qtbot.waitUntil(scrolled_to_the_end)
    assert not window.model.canFetchMore(QModelIndex())
    assert len({window.model.row_at(i).id for i in range(10)}) == 10


def test_enter_and_double_click_open_the_dossier(qtbot, desk, worker) -> None:
    ids = _seed(desk)
    window = open_window(qtbot, desk, worker)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)
    row = window.model.row_of(ids["Martin"])
    window.table.setFocus()
    window.table.setCurrentIndex(window.model.index(row, 0))
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.editor is not None)
    assert window.editor.dossier_id == ids["Martin"]
    assert window.pages.currentWidget() is window.editor
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert window.editor is None and window.pages.currentWidget() is window.list_page
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)
    row = window.model.row_of(ids["Durand"])
    rect = window.table.visualRect(window.model.index(row, 0))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.editor is not None)
    assert window.editor.dossier_id == ids["Durand"]


def test_ctrl_f_goes_back_to_the_search(qtbot, desk, worker) -> None:
    ids = _seed(desk)
    window = open_window(qtbot, desk, worker)
    window.open_dossier(ids["Martin"])
    qtbot.waitUntil(lambda: window.editor is not None)
    window.action_find.trigger()
    assert window.editor is None
    assert window.pages.currentWidget() is window.list_page
    assert window.search.hasFocus() or window.focusWidget() is window.search


def test_status_badge_is_painted_in_the_lifecycle_colour(qtbot, desk, worker) -> None:
    from permis_desktop.procedures.lifecycle import STATUSES

    ids = _seed(desk)
    window = open_window(qtbot, desk, worker)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5)
    image = window.table.viewport().grab().toImage()
    column = DossierTableModel.COLUMNS.index("status")
    for name, status in (("Nguyen", "ready"), ("Durand", "in_review")):
        rect = window.table.visualRect(window.model.index(window.model.row_of(ids[name]), column))
        # Inside the badge, left of its text: the status colour.
        pixel = image.pixelColor(rect.left() + 5, rect.center().y())
        assert pixel.name().upper() == STATUSES[status].colour, (name, pixel.name())
