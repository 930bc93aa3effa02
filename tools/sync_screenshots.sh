#!/bin/sh
# The README's "Essai : un serveur et deux postes sur une seule machine", run under Xvfb,
# with the screenshots of docs/screenshots/sync-*.png taken on the way.
#   sh tools/sync_screenshots.sh            (needs Xvfb, xdotool and ImageMagick's import)
# Data folders go to $W (a new temporary folder by default) instead of ./srv, ./poste1…;
# every process started here runs in its own session and is stopped at the end (KEEP=1: not).
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
W=${W:-$(mktemp -d)}
mkdir -p "$W"
PORT=${PORT:-8765}
SHOTS=${SHOTS:-$ROOT/docs/screenshots}
export DISPLAY=${XDISPLAY:-:77}
R="python3 run.py"
log() { printf '== %s\n' "$*" >&2; }

if ! xdotool getdisplaygeometry >/dev/null 2>&1; then
  Xvfb "$DISPLAY" -screen 0 2560x880x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB=$!
  sleep 1
fi
PIDS=""
cleanup() {
  [ -n "${KEEP:-}" ] && return 0
  for p in $PIDS; do kill -- "-$p" 2>/dev/null || true; done
  [ -n "${XVFB:-}" ] && kill "$XVFB" 2>/dev/null || true
}
trap cleanup EXIT

wait_window() {  # wait_window EXCLUDED_ID: a mapped permis-desktop window other than that one
  for _ in $(seq 1 100); do
    for id in $(xdotool search --onlyvisible --name "permis-desktop" 2>/dev/null || true); do
      [ "$id" != "${1:-}" ] && { echo "$id"; return 0; }
    done
    sleep 0.2
  done
  echo "no window" >&2; return 1
}
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-1}"; }
shot() {  # shot WINDOW NAME [crop geometry]
  sleep 1
  import -window "$1" "$SHOTS/$2.png"
  if [ -n "${3:-}" ]; then convert "$SHOTS/$2.png" -gravity South -crop "$3" +repage "$SHOTS/$2.png"; fi
  log "screenshot $2"
}
server_pid() { ss -ltnp "sport = :$PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }

log "0. environment"
$R permis --help > /dev/null

log "1. server"
setsid $R server --data-dir "$W/srv" serve --port "$PORT" > "$W/server.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 50); do [ -n "$(server_pid)" ] && break; sleep 0.2; done

log "2. tokens"
T1=$($R server --data-dir "$W/srv" token create --agency agence-nord --desk guichet-1)
T2=$($R server --data-dir "$W/srv" token create --agency agence-nord --desk guichet-2)

log "3. desks"
for P in poste1 poste2; do
  $R permis --data-dir "$W/$P" config set sync.server_url "http://127.0.0.1:$PORT"
  $R permis --data-dir "$W/$P" config set sync.poll_seconds 10
done
$R permis --data-dir "$W/poste1" config set sync.token "$T1"
$R permis --data-dir "$W/poste2" config set sync.token "$T2"

log "4. two windows"
setsid $R app --data-dir "$W/poste1" > "$W/poste1.log" 2>&1 &
PIDS="$PIDS $!"
D1=$(wait_window)
xdotool windowsize "$D1" 1260 820 windowmove "$D1" 0 0
setsid $R app --data-dir "$W/poste2" > "$W/poste2.log" 2>&1 &
PIDS="$PIDS $!"
D2=$(wait_window "$D1")
xdotool windowsize "$D2" 1260 820 windowmove "$D2" 1290 0

log "5. a dossier validated at desk 1"
ID=$(sed "s/DATE_DU_JOUR/$(date +%F)/g" docs/exemples/dossier-b.json \
     | $R permis --data-dir "$W/poste1" dossier new -)
$R permis --data-dir "$W/poste1" dossier attach "$ID" --piece identity docs/exemples/carte-identite.jpg > /dev/null
$R permis --data-dir "$W/poste1" dossier attach "$ID" --piece proof_of_address docs/exemples/facture.jpg > /dev/null
$R permis --data-dir "$W/poste1" dossier validate "$ID"
sleep 12
$R server --data-dir "$W/srv" dossier list --json > "$W/list1.json"
grep -q '"status": "submitted"' "$W/list1.json" || { echo "not received" >&2; cat "$W/list1.json" >&2; exit 1; }

log "6. the agency answers"
$R server --data-dir "$W/srv" dossier set-status "$ID" in_review
$R server --data-dir "$W/srv" dossier set-status "$ID" complement_requested \
    --message "Justificatif de domicile de plus de 6 mois" --pieces proof_of_address
sleep 12
import -window "$D1" "$W/notified.png"

log "7. the complement request in the dossier (desk 1 window at 0,0, 1260x820)"
xdotool mousemove 600 400 click 1
xdotool key ctrl+f
sleep 0.5
xdotool key Return
sleep 3
import -window "$D1" "$W/complement-banner.png"
click 188 129                        # the piece named in the banner
click 512 617 2                      # "Importer des fichiers…" on that piece
NEW="$W/quittance.jpg"
convert docs/exemples/facture.jpg -modulate 98 "$NEW"   # another bill (other bytes)
xdotool type --delay 20 "$NEW"
xdotool key Return
sleep 6
xdotool mousemove 600 600 click 5 click 5 click 5
shot "$D1" sync-complement
click 849 601 5                      # "Remplacer les anciennes pages"
click 60 272 2                       # Récapitulatif
click 614 736 6                      # "Valider le dossier": sent at once
$R server --data-dir "$W/srv" dossier list --json > "$W/list2.json"
python3 - "$W/list1.json" "$W/list2.json" <<'PY'
import json, sys
before, after = (json.load(open(p))[0] for p in sys.argv[1:])
assert after["status"] == "submitted" and after["version"] > before["version"], (before, after)
assert len(after["pages"]) == len(before["pages"]), "the refused page was not replaced"
print(f"resubmitted as version {after['version']} (was {before['version']})")
PY
xdotool key Escape

log "8. offline: the server stops, desk 2 validates, the server comes back"
kill -- "-$(ps -o pgid= -p "$(server_pid)" | tr -d ' ')"
sleep 1
ID2=$(sed "s/DATE_DU_JOUR/$(date +%F)/g; s/\"Martin\"/\"Nguyen\"/; s/\"Léa\"/\"Thomas\"/" \
      docs/exemples/dossier-b.json | $R permis --data-dir "$W/poste2" dossier new -)
$R permis --data-dir "$W/poste2" dossier attach "$ID2" --piece identity docs/exemples/carte-identite.jpg > /dev/null
$R permis --data-dir "$W/poste2" dossier attach "$ID2" --piece proof_of_address docs/exemples/facture.jpg > /dev/null
$R permis --data-dir "$W/poste2" dossier validate "$ID2"
sleep 14
import -window "$D2" "$W/offline.png"
click $((1290 + 828)) 807 2          # the status line of desk 2: the sync panel
PANEL=$(xdotool search --onlyvisible --name "^Synchronisation$" | head -1)
shot "$PANEL" sync-panel
xdotool key Escape
setsid $R server --data-dir "$W/srv" serve --port "$PORT" >> "$W/server.log" 2>&1 &
PIDS="$PIDS $!"
sleep 14
import -window "$D2" "$W/online.png"
$R server --data-dir "$W/srv" dossier list --json > "$W/list3.json"
python3 - "$W/list3.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert sorted(r["desk"] for r in rows) == ["guichet-1", "guichet-2"], rows
assert all(r["status"] == "submitted" for r in rows), rows
print("both dossiers on the server, once each, submitted")
PY
convert "$W/offline.png" -gravity SouthEast -crop 600x26+0+0 +repage "$W/off.png"
convert "$W/online.png" -gravity SouthEast -crop 600x26+0+0 +repage "$W/on.png"
convert "$W/off.png" "$W/on.png" -background '#efefef' -splice 0x4 -append "$SHOTS/sync-status-bar.png"

log "settings dialog (desk 2)"
click $((1290 + 28)) 8
click $((1290 + 67)) 97 2
SETTINGS=$(xdotool search --onlyvisible --name "^Réglages$" | head -1)
eval "$(xdotool getwindowgeometry --shell "$SETTINGS")"
click $((X + 365)) $((Y + 302)) 3    # "Tester la connexion"
shot "$SETTINGS" sync-settings
xdotool key Escape
log "done: data in $W"
