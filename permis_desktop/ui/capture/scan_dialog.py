"""The scanner screen: pick a device, check the piece's profile, scan, watch pages arrive.

Everything that touches a device (listing, capabilities, scanning) runs on the background
helper, so a driver that hangs or fails never freezes the window. A scan is a generator of
pages (scan/devices/base.py): each page is written to the capture spool on the scanning
thread as soon as the driver hands it over (so it survives whatever happens next), then
handed to the window, which shows its thumbnail at once and queues it for the piece
(`PageAttacher`). An error or a cancel after some pages ends the run with those pages kept
and a French message saying what to do (issue 6, point 9).

The device last used is remembered in the `capture.last_device` setting (per workstation);
the source, resolution and colour mode come from the piece kind's profile (`profiles.py`),
which "Mémoriser pour cette pièce" saves.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.scan.devices.base import SOURCE_LABELS
from permis_desktop.ui.capture.attach import french_error, spool_dir
from permis_desktop.ui.capture.piece_dialog import PieceCaptureDialog
from permis_desktop.ui.capture.profiles import ScanProfile, profile_for, save_profile
from permis_desktop.ui.capture.thumbs import THUMB_PX, thumbnail, verdict_label
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

COLOR_LABELS = {"color": "Couleur", "gray": "Niveaux de gris", "bw": "Noir et blanc"}
DEFAULT_RESOLUTIONS = (150, 200, 300, 600)


class _Relay(QObject):
    """Lives in the GUI thread; emitting from the scanning thread queues the call here."""

    page_received = Signal(object, object, object)  # spool path, ScannedPage, QImage thumbnail
    progressed = Signal(object)  # ScanProgress


class ScanDialog(PieceCaptureDialog):
    def __init__(
        self,
        ctx: Any,
        worker: Worker,
        dossier_id: str,
        kind: str,
        registry: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, worker, dossier_id, kind, parent)
        self._registry = registry
        self._fixed_registry = registry is not None
        self.setObjectName("scan_dialog")
        self.setWindowTitle(self.tr("Scanner : {piece}").format(piece=self.piece_label))
        self.resize(900, 620)
        self.relay = _Relay(self)
        self.relay.page_received.connect(self._on_page)
        self.relay.progressed.connect(self._on_progress)
        self.devices: list[Any] = []
        self.scanning = False
        self.cancel_token: Any = None
        self.pages_received = 0
        self.last_outcome: Any = None
        self.thumb_latencies: list[float] = []  # driver delivery → thumbnail shown (s)
        self._items: dict[str, QListWidgetItem] = {}

        # -- device and profile
        self.device_picker = QComboBox()
        self.device_picker.setObjectName("device_picker")
        self.device_picker.setAccessibleName(self.tr("Scanner"))
        self.device_picker.setMinimumWidth(320)
        self.device_picker.currentIndexChanged.connect(self._on_device_chosen)
        self.refresh_button = QPushButton(self.tr("Actualiser"))
        self.refresh_button.setObjectName("refresh_devices")
        self.refresh_button.clicked.connect(self.refresh_devices)
        self.address_button = QPushButton(self.tr("Adresse réseau…"))
        self.address_button.setObjectName("add_address")
        self.address_button.setToolTip(
            self.tr("Ajouter un scanner réseau (eSCL/AirScan) par son adresse")
        )
        self.address_button.clicked.connect(self._add_address)
        devices_row = QHBoxLayout()
        devices_row.addWidget(QLabel(self.tr("Scanner :")))
        devices_row.addWidget(self.device_picker, 1)
        devices_row.addWidget(self.refresh_button)
        devices_row.addWidget(self.address_button)

        self.source_box = QComboBox()
        self.source_box.setObjectName("scan_source")
        self.source_box.setAccessibleName(self.tr("Source"))
        self.dpi_box = QComboBox()
        self.dpi_box.setObjectName("scan_dpi")
        self.dpi_box.setAccessibleName(self.tr("Résolution"))
        self.color_box = QComboBox()
        self.color_box.setObjectName("scan_color")
        self.color_box.setAccessibleName(self.tr("Couleur"))
        self.save_profile_button = QPushButton(self.tr("Mémoriser pour cette pièce"))
        self.save_profile_button.setObjectName("save_profile")
        self.save_profile_button.clicked.connect(self.save_profile)
        profile_row = QHBoxLayout()
        profile_row.addWidget(QLabel(self.tr("Source :")))
        profile_row.addWidget(self.source_box)
        profile_row.addWidget(QLabel(self.tr("Résolution :")))
        profile_row.addWidget(self.dpi_box)
        profile_row.addWidget(QLabel(self.tr("Couleur :")))
        profile_row.addWidget(self.color_box)
        profile_row.addStretch(1)
        profile_row.addWidget(self.save_profile_button)
        self._fill_profile_boxes(None)

        # -- pages
        self.pages_view = QListWidget()
        self.pages_view.setObjectName("scanned_pages")
        self.pages_view.setViewMode(QListView.ViewMode.IconMode)
        self.pages_view.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.pages_view.setGridSize(QSize(THUMB_PX + 40, THUMB_PX + 56))
        self.pages_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.pages_view.setMovement(QListView.Movement.Static)
        self.pages_view.setWordWrap(True)

        self.status.setObjectName("scan_status")
        self.progress = QProgressBar()
        self.progress.setObjectName("scan_progress")
        self.progress.setMaximumWidth(240)
        self.progress.hide()

        self.scan_button = QPushButton(self.tr("Numériser"))
        self.scan_button.setObjectName("scan")
        self.scan_button.setDefault(True)
        self.scan_button.clicked.connect(self.start_scan)
        self.cancel_button = QPushButton(self.tr("Annuler la numérisation"))
        self.cancel_button.setObjectName("cancel_scan")
        self.cancel_button.clicked.connect(self.cancel_scan)
        buttons = self._button_row(
            self.tr("Fermer"), "scan_close", self.scan_button, self.cancel_button, self.progress
        )

        layout = QVBoxLayout(self)
        layout.addLayout(devices_row)
        layout.addLayout(profile_row)
        layout.addWidget(self.pages_view, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._update_buttons()
        self.refresh_devices()

    # -- devices ------------------------------------------------------------------------

    @property
    def registry(self) -> Any:
        if self._registry is None:
            from permis_desktop.scan.devices import DeviceRegistry

            self._registry = DeviceRegistry.for_platform(self.ctx.settings)
        return self._registry

    def refresh_devices(self) -> None:
        if self.scanning:
            return
        if not self._fixed_registry:
            self._registry = None  # settings (addresses, certificates) may have changed
        registry = self.registry
        self.listing = True
        self.status.setText(self.tr("Recherche des scanners…"))
        self._update_buttons()
        self.worker.run_task(
            lambda _state: registry.list_devices(timeout=3.0),
            on_success=self._on_devices,
            on_error=self._on_devices_failed,
            owner=self,
        )

    listing = False

    def _on_devices(self, devices: list[Any]) -> None:
        self.listing = False
        self.devices = devices
        last = str(self.ctx.settings.get("capture.last_device") or "")
        self.device_picker.blockSignals(True)
        self.device_picker.clear()
        for device in devices:
            hint = f" ({device.connection})" if device.connection else ""
            self.device_picker.addItem(device.label + hint, device.id)
        index = self.device_picker.findData(last) if last else -1
        self.device_picker.setCurrentIndex(max(index, 0) if devices else -1)
        self.device_picker.blockSignals(False)
        if devices:
            self.status.setText(
                self.tr("{n} scanner(s) trouvé(s).").format(n=len(devices))
                if index < 0
                else self.tr("Dernier scanner utilisé sélectionné.")
            )
            self._on_device_chosen(self.device_picker.currentIndex())
        else:
            self.status.setText(
                self.tr(
                    "Aucun scanner trouvé. Vérifiez qu'il est allumé et branché (USB) ou sur le "
                    "même réseau, puis cliquez sur « Actualiser » ; un scanner réseau peut "
                    "aussi être ajouté par son adresse."
                )
            )
        self._update_buttons()

    def _on_devices_failed(self, exc: BaseException) -> None:
        self.listing = False
        self.status.setText(
            french_error(exc, self.tr("La liste des scanners n'a pas pu être établie."))
        )
        self._update_buttons()

    def _on_device_chosen(self, index: int) -> None:
        device_id = self.device_picker.itemData(index)
        if not device_id:
            return
        registry = self.registry
        self.worker.run_task(
            lambda _state: registry.capabilities(device_id),
            on_success=lambda caps: self._on_capabilities(device_id, caps),
            on_error=lambda exc: log.warning("capabilities of %s: %s", device_id, exc),
            owner=self,
        )

    def _on_capabilities(self, device_id: str, caps: Any) -> None:
        if self.device_picker.currentData() != device_id:
            return
        self.capabilities = caps
        self._fill_profile_boxes(caps)

    capabilities: Any = None

    def _fill_profile_boxes(self, caps: Any) -> None:
        profile = profile_for(self.ctx.settings, self.kind)
        sources = caps.sources if caps is not None else ("flatbed", "feeder", "duplex")
        dpis = caps.resolutions if caps is not None and caps.resolutions else DEFAULT_RESOLUTIONS
        dpis = tuple(d for d in dpis if 75 <= d <= 1200) or tuple(dpis)
        modes = caps.color_modes if caps is not None else ("color", "gray", "bw")
        for box in (self.source_box, self.dpi_box, self.color_box):
            box.clear()
        for source in sources:
            self.source_box.addItem(self.tr(SOURCE_LABELS.get(source, source)).capitalize(), source)
        for dpi in dpis:
            self.dpi_box.addItem(self.tr("{dpi} ppp").format(dpi=dpi), dpi)
        for mode in modes:
            self.color_box.addItem(self.tr(COLOR_LABELS.get(mode, mode)), mode)
        source = profile.source if profile.source in sources else sources[0] if sources else ""
        if caps is not None and profile.source == "feeder" and "feeder" not in sources:
            source = "flatbed" if "flatbed" in sources else source
        self.source_box.setCurrentIndex(max(0, self.source_box.findData(source)))
        nearest = min(dpis, key=lambda d: (abs(d - profile.dpi), -d)) if dpis else profile.dpi
        self.dpi_box.setCurrentIndex(max(0, self.dpi_box.findData(nearest)))
        mode = profile.color_mode if profile.color_mode in modes else (modes[0] if modes else "")
        self.color_box.setCurrentIndex(max(0, self.color_box.findData(mode)))

    def current_profile(self) -> ScanProfile:
        return ScanProfile(
            source=str(self.source_box.currentData() or "flatbed"),
            dpi=int(self.dpi_box.currentData() or 300),
            color_mode=str(self.color_box.currentData() or "color"),
        )

    def save_profile(self) -> None:
        save_profile(self.ctx.settings, self.kind, self.current_profile())
        self.status.setText(self.tr("Réglages mémorisés pour cette pièce sur ce poste."))

    def _add_address(self) -> None:
        address, ok = QInputDialog.getText(
            self,
            self.tr("Scanner réseau"),
            self.tr("Adresse du scanner (eSCL/AirScan), par exemple http://192.168.1.20/eSCL :"),
        )
        if ok and address.strip():
            self.add_address(address.strip())

    def add_address(self, address: str) -> None:
        from permis_desktop.scan.devices.registry import ADDRESSES_SETTING, read_addresses

        current = list(read_addresses(self.ctx.settings))
        address = address.removeprefix("escl:")
        if address not in current:
            current.append(address)
            self.ctx.settings.set(ADDRESSES_SETTING, ",".join(current))
        self.refresh_devices()

    # -- scanning -----------------------------------------------------------------------

    def start_scan(self) -> None:
        device_id = self.device_picker.currentData()
        if self.scanning or not device_id:
            return
        from permis_desktop.scan.devices import CancelToken, collect_pages

        try:
            request = self.current_profile().request()
        except Exception as exc:  # a BadInput from ScanRequest: French already
            self.status.setText(french_error(exc, self.tr("Réglages de numérisation invalides.")))
            return
        registry, relay = self.registry, self.relay
        folder = spool_dir(self.ctx.paths.data)
        kind = self.kind
        token = CancelToken()
        self.cancel_token = token
        self.scanning = True
        self.status.setStyleSheet("")
        self.pages_this_run = 0
        self.status.setText(self.tr("Numérisation en cours…"))
        self.progress.setRange(0, 0)
        self.progress.show()
        self._update_buttons()
        self.ctx.settings.set("capture.last_device", device_id)
        log.info("scan %s from %s: %s", kind, device_id, request)

        def scan(_state: Any) -> Any:
            from permis_desktop.fileutil import atomic_write_bytes

            folder.mkdir(parents=True, exist_ok=True)
            # Unique per run: two scans in the same second must not share spool names.
            stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"

            def keep(page: Any) -> None:
                # On the scanning thread: the page is on disk before anything else happens.
                path = folder / f"scan-{kind}-{stamp}-{page.index:03d}{page.extension}"
                atomic_write_bytes(path, page.data)
                # The thumbnail is made here too (tens of ms, JPEG decoded at 1/8): the
                # worker's other threads may be busy attaching earlier pages.
                try:
                    image = thumbnail(page.data)
                except Exception as exc:  # an odd format still reaches the piece
                    log.warning("thumbnail of scanned page %d: %s", page.index, exc)
                    image = QImage()
                relay.page_received.emit(path, page, image)

            return collect_pages(
                registry.scan(device_id, request, progress=relay.progressed.emit, cancel=token),
                on_page=keep,
            )

        self.worker.run_task(
            scan, on_success=self._on_scan_done, on_error=self._on_scan_failed, owner=self
        )

    pages_this_run = 0

    def cancel_scan(self) -> None:
        if self.cancel_token is not None:
            self.cancel_token.cancel()
            self.status.setText(self.tr("Annulation…"))

    def _on_progress(self, progress: Any) -> None:
        if not self.scanning:
            return
        if progress.fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(round(100 * progress.fraction))
        self.status.setText(self.tr("Numérisation de la page {n}…").format(n=progress.page))

    def _on_page(self, path: Path, page: Any, image: QImage) -> None:
        self.pages_received += 1
        self.pages_this_run += 1
        item = QListWidgetItem(self.tr("Page {n}\nen cours…").format(n=self.pages_received))
        item.setData(Qt.ItemDataRole.UserRole, path.name)
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
        if not image.isNull():
            item.setIcon(QIcon(QPixmap.fromImage(image)))
        self.pages_view.addItem(item)
        self.pages_view.scrollToItem(item)
        self._items[path.name] = item
        if page.received_at:
            self.thumb_latencies.append(time.monotonic() - page.received_at)
        self.attacher.add_file(path)

    def _on_scan_done(self, outcome: Any) -> None:
        self.scanning = False
        self.cancel_token = None
        self.last_outcome = outcome
        self.progress.hide()
        n = len(outcome.pages)
        if outcome.cancelled:
            text = self.tr("Numérisation annulée ; {n} page(s) reçue(s) conservée(s).").format(n=n)
        elif outcome.error is not None:
            text = str(outcome.error)
            self._offer_certificate(outcome.error)
        else:
            text = self.tr("{n} page(s) numérisée(s).").format(n=n)
            if self._card_side_missing(outcome):
                text += " " + self.tr(
                    "Retournez la carte sur la vitre puis cliquez sur « Numériser » pour le verso."
                )
        self.status.setText(text)
        self.status.setStyleSheet("color: #c62828;" if outcome.error is not None else "")
        self._update_buttons()

    def _card_side_missing(self, outcome: Any) -> bool:
        """An identity card scanned on the flatbed: recto and verso are two scans (guided)."""
        from permis_desktop.scan.formats import format_for

        if not format_for(self.kind).identity or not outcome.pages:
            return False
        flatbed = all(p.source == "flatbed" for p in outcome.pages)
        return flatbed and self.pages_received % 2 == 1

    def _on_scan_failed(self, exc: BaseException) -> None:
        self.scanning = False
        self.cancel_token = None
        self.progress.hide()
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(french_error(exc, self.tr("La numérisation a échoué.")))
        self._update_buttons()

    def _offer_certificate(self, error: Any) -> None:
        from permis_desktop.scan.devices import UntrustedCertificate, confirm_certificate

        if not isinstance(error, UntrustedCertificate) or error.changed:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Scanner réseau sécurisé"),
            self.tr(
                "Le scanner {host} présente un certificat inconnu.\nEmpreinte SHA-256 :\n{fp}\n\n"
                "Confirmez seulement si cette empreinte est celle affichée par l'appareil "
                "(page de configuration du scanner). Faire confiance à ce scanner ?"
            ).format(host=error.netloc, fp=error.fingerprint),
        )
        if answer == QMessageBox.StandardButton.Yes:
            confirm_certificate(self.ctx.settings, error.netloc, error.fingerprint)
            self.refresh_devices()

    # -- attaching --------------------------------------------------------------------------

    def _on_attached(self, result: Any) -> None:
        by_source = {p.source: p for p in result.pages}
        for name, item in self._items.items():
            page = by_source.get(name)
            if page is not None:
                n = page.position + 1
                item.setText(self.tr("Page {n}\n{v}").format(n=n, v=verdict_label(page.verdict)))
                item.setToolTip("\n".join(page.reasons) if page.reasons else "")
        super()._on_attached(result)

    def _update_buttons(self) -> None:
        has_device = self.device_picker.currentData() is not None
        self.scan_button.setEnabled(has_device and not self.scanning)
        self.cancel_button.setEnabled(self.scanning)
        self.device_picker.setEnabled(not self.scanning)
        self.refresh_button.setEnabled(not self.scanning and not self.listing)
        for box in (self.source_box, self.dpi_box, self.color_box):
            box.setEnabled(not self.scanning)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        # Pages already received stay in the spool and are attached by the queue, which
        # outlives nothing: a close during a scan cancels the device first.
        self.cancel_scan()
        if self._registry is not None:
            # Off the GUI thread: WIA's close waits for its COM thread to finish the page.
            registry, self._registry = self._registry, None
            self.worker.run_task(lambda _state: registry.close())
        super().closeEvent(event)
