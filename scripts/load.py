"""`make load`: 50 simulated users for 60 seconds against the app under gunicorn on PostgreSQL.

A load test, not a test: it creates a fresh database (`load_ctg` on 127.0.0.1:5432), loads the demo,
collects the static files into a temporary folder and starts gunicorn on the loopback with the production
settings (`ctg.settings.base`; only HTTPS redirects and secure cookies are switched off, the traffic being
plain HTTP on 127.0.0.1). Each simulated user is a thread with its own session and CSRF token: all log in
with the demo accounts first (timed apart), then, for the measured minute, read pages (overview,
dashboard, list, filtered list, its htmx fragment, detail, "Mes actions") and, for the service heads and
the coordination, write with htmx (points d'étape on their own actions, jalon edits), with a short random
pause between requests (`--think`, mean in seconds; 0 for a stress test).

It stops by itself (fixed duration, maximum number of requests, timeout per request), kills gunicorn,
drops the database, and prints requests per second, p50/p95/p99 per endpoint, every error, and a check of
the database afterwards: each action's status and progress equal its latest point d'étape, no duplicate
codes, as many points d'étape and jalon versions written as successful writes, one log line per write.
Exit status 1 when there is an error or an inconsistency.

    .venv/bin/python scripts/load.py [--users 50] [--duration 60] [--think 0.5] [--json load-results.json]
"""

import argparse
import json
import math
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"  # loopback only, whatever the options
DATABASE = "load_ctg"
PASSWORD = "demo"
SAVED = 'class="c-saved"'  # the confirmation a successful htmx write shows
OUR_LOGGERS = {"ctg", "actions", "partners", "reports"}
# (account, number of simulated users): 50 users for the 31 January rush, most of them service heads.
ACCOUNTS = [
    ("petite-enfance", 8),
    ("jeunesse", 8),
    ("parentalite", 8),
    ("solidarites", 8),
    ("coordination", 10),
    ("direction", 4),
    ("elu", 4),
]
# What each kind of user does, with weights.
MIX = {
    "service_head": {
        "mine": 4,
        "detail": 3,
        "list": 1,
        "list_filtered": 1,
        "list_fragment": 1,
        "progress": 3,
        "jalon": 1,
    },
    "coordination": {
        "overview": 2,
        "dashboard": 1,
        "list": 2,
        "list_filtered": 2,
        "list_fragment": 2,
        "detail": 3,
        "jalon": 1,
    },
    "reader": {"dashboard": 3, "overview": 2, "list": 1, "list_filtered": 1, "detail": 2},
}
WRITES = ("progress", "jalon")
LOGIN = ("login_page", "login")  # before the clock starts; shown apart
REQUEST_TIMEOUT = 15
LOGIN_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def admin_connection(server: str) -> psycopg.Connection:
    return psycopg.connect(f"{server}/postgres", autocommit=True)


def drop_database(server: str) -> None:
    with admin_connection(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


# --- The world: who writes on what -------------------------------------------------------------------------


def load_plan() -> dict:
    """Read from the seeded database the URLs each account uses, with the Django ORM."""
    import django

    django.setup()
    from actions.models import Action, Milestone
    from ctg.models import Convention, User

    convention = Convention.objects.current()
    actions = list(Action.objects.filter(objective__axis__convention=convention, archived_at__isnull=True))
    plan = {
        "overview": f"/ctg/{convention.pk}/",
        "details": [f"/actions/{action.pk}/" for action in actions],
        "filtered": [
            "/actions/?status=in_progress",
            "/actions/?late=on",
            f"/actions/?pilot_service={actions[0].pilot_service_id}&sort=-progress",
            "/actions/?q=parent",
        ],
        "progress": {},
        "jalons": {},
    }
    for username, _ in ACCOUNTS:
        user = User.objects.get(username=username)
        own = [a for a in actions if a.pilot_service_id == user.service_id] if user.service_id else []
        # Points d'étape keep the action's status, so every write is allowed whatever the others do.
        plan["progress"][username] = [(a.pk, a.status) for a in own if a.status in ("in_progress", "recurring")]
        writable = own if user.service_id else actions if username == "coordination" else []
        plan["jalons"][username] = [
            (m.pk, m.title, m.due_on.isoformat()) for m in Milestone.objects.filter(action__in=writable)
        ]
    return plan


def kind_of(username: str) -> str:
    return {"coordination": "coordination", "direction": "reader", "elu": "reader"}.get(username, "service_head")


# --- One simulated user ----------------------------------------------------------------------------------


class Run:
    """Shared between the user threads: results, limits, and the stop signal."""

    def __init__(self, base: str, plan: dict, users: int, max_requests: int, think: float, timeout: float):
        self.base, self.plan = base, plan
        self.deadline = math.inf  # set once every user has logged in
        self.logged_in = threading.Barrier(users + 1, timeout=LOGIN_TIMEOUT * 3)
        self.max_requests, self.think, self.timeout = max_requests, think, timeout
        self.lock = threading.Lock()
        self.sent = 0
        self.last_answer = 0.0
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[tuple[str, str, str]] = []
        self.writes = Counter()  # successful writes per endpoint
        self.refused_writes: list[tuple[str, str]] = []  # 200 without the confirmation: the form said no
        self.unknown_writes = Counter()  # no answer in time: the server may still have written

    def take_slot(self) -> bool:
        with self.lock:
            if time.monotonic() >= self.deadline or self.sent >= self.max_requests:
                return False
            self.sent += 1
            return True

    def record(self, endpoint: str, seconds: float, error: str | None, url: str) -> None:
        with self.lock:
            self.last_answer = time.monotonic()
            self.timings[endpoint].append(seconds)
            if error:
                self.errors.append((endpoint, error, url))


def user_loop(run: Run, username: str, seed: int) -> None:
    """Log in, wait for the others, then pick an endpoint by the weights of the user's kind until the run
    says stop."""
    rng = random.Random(seed)
    session = requests.Session()
    plan = run.plan

    def send(endpoint: str, method: str, path: str, *, htmx=False, data=None, expect=(200,), timeout=run.timeout):
        if not run.take_slot():
            raise StopIteration
        headers = {"HX-Request": "true"} if htmx else {}
        if method == "POST":
            headers["X-CSRFToken"] = session.cookies.get("csrftoken", "")
            headers["Referer"] = run.base + path
        started = time.perf_counter()
        try:
            response = session.request(
                method, run.base + path, data=data, headers=headers, timeout=timeout, allow_redirects=False
            )
        except requests.RequestException as error:
            run.record(endpoint, time.perf_counter() - started, type(error).__name__, path)
            if endpoint in WRITES:
                with run.lock:
                    run.unknown_writes[endpoint] += 1
            return None
        elapsed = time.perf_counter() - started
        error = None if response.status_code in expect else f"HTTP {response.status_code}"
        run.record(endpoint, elapsed, error, path)
        return None if error else response

    try:
        try:
            send("login_page", "GET", "/compte/connexion/", timeout=LOGIN_TIMEOUT)
            token = session.cookies.get("csrftoken", "")
            login = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
            signed_in = send("login", "POST", "/compte/connexion/", data=login, expect=(302,), timeout=LOGIN_TIMEOUT)
        finally:
            run.logged_in.wait()
        if signed_in is None:
            return
        mix = MIX[kind_of(username)]
        names, weights = list(mix), list(mix.values())
        for write, targets in (("progress", plan["progress"]), ("jalon", plan["jalons"])):
            if write in names and not targets[username]:
                weights[names.index(write)] = 0
        while True:
            endpoint = rng.choices(names, weights)[0]
            if endpoint == "overview":
                send(endpoint, "GET", plan["overview"])
            elif endpoint == "dashboard":
                send(endpoint, "GET", "/tableau-de-bord/")
            elif endpoint == "list":
                send(endpoint, "GET", "/actions/")
            elif endpoint == "list_filtered":
                send(endpoint, "GET", rng.choice(plan["filtered"]))
            elif endpoint == "list_fragment":
                send(endpoint, "GET", rng.choice(plan["filtered"]), htmx=True)
            elif endpoint == "mine":
                send(endpoint, "GET", "/actions/mes-actions/")
            elif endpoint == "detail":
                send(endpoint, "GET", rng.choice(plan["details"]))
            elif endpoint == "progress":
                pk, status = rng.choice(plan["progress"][username])
                data = {"status": status, "progress": rng.randrange(5, 100, 5), "done": f"Charge {seed}."}
                path = f"/actions/{pk}/point-etape/"
                response = send(endpoint, "POST", path, htmx=True, data={**data, "origin": "detail"})
                note_write(run, endpoint, response, path)
            elif endpoint == "jalon":
                pk, title, due_on = rng.choice(plan["jalons"][username])
                done_on = rng.choice(["", due_on])
                data = {"edit-title": title, "edit-due_on": due_on, "edit-done_on": done_on}
                path = f"/actions/jalons/{pk}/modifier/"
                response = send(endpoint, "POST", path, htmx=True, data=data)
                note_write(run, endpoint, response, path)
            if run.think:
                time.sleep(rng.uniform(0, 2 * run.think))
    except (StopIteration, threading.BrokenBarrierError):
        return


def note_write(run: Run, endpoint: str, response, path: str) -> None:
    if response is None:
        return
    with run.lock:
        if SAVED in response.text:
            run.writes[endpoint] += 1
        else:
            run.refused_writes.append((endpoint, path))


# --- Figures ---------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def row(timings: list[float], errors: int) -> dict:
    return {
        "requests": len(timings),
        "errors": errors,
        **{f"p{p}_ms": round(percentile(timings, p / 100) * 1000, 1) for p in (50, 95, 99)},
        "max_ms": round(max(timings) * 1000, 1),
    }


def figures(run: Run, seconds: float) -> dict:
    """Per endpoint, and for every request of the measured minute together (the logins come before it)."""
    errors = Counter(endpoint for endpoint, _, _ in run.errors)
    endpoints = {name: row(timings, errors[name]) for name, timings in sorted(run.timings.items())}
    measured = [t for name, timings in run.timings.items() if name not in LOGIN for t in timings]
    total = row(measured, sum(count for name, count in errors.items() if name not in LOGIN)) if measured else {}
    rps = round(len(measured) / seconds, 1)
    return {"seconds": round(seconds, 1), "requests": len(measured), "rps": rps, "all": total, "endpoints": endpoints}


def print_table(result: dict) -> None:
    print(f"\n{result['requests']} requêtes en {result['seconds']} s : {result['rps']} requêtes/s\n")
    print(f"{'endpoint':<15} {'requêtes':>9} {'erreurs':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = [(name, r) for name, r in result["endpoints"].items() if name not in LOGIN]
    rows += [("(toutes)", result["all"])] if result["all"] else []
    rows += [(f"{name} *", r) for name, r in result["endpoints"].items() if name in LOGIN]
    for name, r in rows:
        print(
            f"{name:<15} {r['requests']:>9} {r['errors']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} "
            f"{r['p99_ms']:>8} {r['max_ms']:>8}"
        )
    print("* avant la minute mesurée : tous les utilisateurs se connectent en même temps")


# --- After the run: the database and the logs ------------------------------------------------------------


def consistency(run: Run, before: dict, log_path: Path) -> list[tuple[str, bool, str]]:
    from django.db.models import Count

    from actions.models import Action, Milestone, ProgressUpdate

    checks = []
    wrong = []
    for action in Action.objects.all():
        latest = action.updates.order_by("-recorded_at", "-pk").first()
        if latest and (latest.status, latest.progress) != (action.status, action.progress):
            wrong.append(action.code)
    checks.append(("statut et avancement = dernier point d'étape", not wrong, f"{len(wrong)} action(s) : {wrong[:5]}"))
    duplicates = (
        Action.objects.values("objective__axis__convention", "code").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    checks.append(("aucun code de fiche en double", duplicates == 0, f"{duplicates} doublon(s)"))
    written = {
        "progress": ProgressUpdate.objects.count() - before["updates"],
        "jalon": Milestone.history.filter(history_type="~").count() - before["jalon_versions"],
    }
    for endpoint, label in (
        ("progress", "points d'étape écrits = écritures réussies"),
        ("jalon", "versions de jalon = modifications réussies"),
    ):
        # A write the client stopped waiting for may have been made all the same: it is counted apart.
        done, unknown = run.writes[endpoint], run.unknown_writes[endpoint]
        detail = f"{written[endpoint]} / {done}" + (f" (+ {unknown} sans réponse à temps)" if unknown else "")
        checks.append((label, done <= written[endpoint] <= done + unknown, detail))

    ours, problems = 0, []
    for raw in log_path.read_text(errors="replace").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:  # gunicorn's own lines
            if "Traceback" in raw or "[ERROR]" in raw or "[CRITICAL]" in raw:
                problems.append(raw)
            continue
        if line.get("logger") in OUR_LOGGERS and line.get("level") == "INFO" and line.get("method") == "POST":
            ours += 1
        elif line.get("level") in ("ERROR", "CRITICAL", "WARNING"):
            problems.append(raw[:200])
    writes, unknown = sum(run.writes.values()), sum(run.unknown_writes[endpoint] for endpoint in WRITES)
    detail = f"{ours} ligne(s) / {writes} écriture(s)" + (f" (+ {unknown} sans réponse à temps)" if unknown else "")
    checks.append(("une ligne de journal JSON par écriture", writes <= ours <= writes + unknown, detail))
    checks.append(("aucune erreur dans le journal du serveur", not problems, f"{len(problems)} : {problems[:3]}"))
    return checks


# --- Main -----------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="secondes")
    parser.add_argument("--think", type=float, default=0.5, help="pause moyenne entre deux requêtes (s)")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="serveur PostgreSQL local")
    parser.add_argument("--json", type=Path, help="écrit aussi les chiffres dans ce fichier")
    args = parser.parse_args()
    if urlsplit(args.postgres).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("la charge ne vise que la machine locale")
    try:
        admin_connection(args.postgres).close()
    except psycopg.OperationalError as error:
        raise SystemExit(f"PostgreSQL ne répond pas ({args.postgres}) : {error}") from error

    folder = Path(tempfile.mkdtemp(prefix="pilote-ctg-load-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ctg.settings.base",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"{args.postgres}/{DATABASE}",
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    os.environ.update(env)  # for the ORM of this process, before and after the run
    sys.path.insert(0, str(ROOT))
    log_path = folder / "gunicorn.log"
    server = None
    try:
        drop_database(args.postgres)
        with admin_connection(args.postgres) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        print(f"Base {DATABASE} créée ; migrations, démo, fichiers statiques…", flush=True)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")  # first: the demo's bilan PDF links the static files
        manage(env, "seed_demo")
        plan = load_plan()
        from actions.models import Milestone, ProgressUpdate

        before = {
            "updates": ProgressUpdate.objects.count(),
            "jalon_versions": Milestone.history.filter(history_type="~").count(),
        }
        from django.db import connections

        connections.close_all()

        command = [
            str(Path(PYTHON).with_name("gunicorn")), "ctg.wsgi:application",
            "--bind", f"{HOST}:{port}", "--workers", str(args.workers), "--threads", str(args.threads),
            "--worker-class", "gthread", "--timeout", "30", "--graceful-timeout", "5", "--no-control-socket",
        ]  # fmt: skip
        with log_path.open("w") as log:
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        base = f"http://{HOST}:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{base}/sante/", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if server.poll() is not None:
                raise SystemExit(f"gunicorn s'est arrêté :\n{log_path.read_text()}")
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn ne répond pas")
        print(
            f"gunicorn sur {base} ({args.workers} workers × {args.threads} threads) ; "
            f"{args.users} utilisateurs pendant {args.duration:.0f} s…",
            flush=True,
        )

        accounts = [name for name, count in ACCOUNTS for _ in range(count)]
        users = [accounts[i % len(accounts)] for i in range(args.users)]
        run = Run(base, plan, len(users), args.max_requests, args.think, timeout=REQUEST_TIMEOUT)
        threads = [
            threading.Thread(target=user_loop, args=(run, name, i), daemon=True) for i, name in enumerate(users)
        ]
        for thread in threads:
            thread.start()
        connecting = time.monotonic()
        run.logged_in.wait()  # every user has logged in (PBKDF2 costs ~0.3 s of CPU per login): the clock starts
        started = time.monotonic()
        run.deadline = started + args.duration
        print(f"{len(users)} connexions en {started - connecting:.1f} s ; charge pendant {args.duration:.0f} s…")
        for thread in threads:
            thread.join(timeout=max(0.1, started + args.duration + 20 - time.monotonic()))
        # From the start to the last answer (a user's pause after the minute does not count).
        seconds = max(run.last_answer, min(run.deadline, time.monotonic())) - started
        result = figures(run, seconds)
        print_table(result)

        print(f"\nErreurs : {len(run.errors)}")
        for (endpoint, error), count in Counter((e, err) for e, err, _ in run.errors).most_common():
            example = next(url for e, err, url in run.errors if (e, err) == (endpoint, error))
            print(f"  {endpoint} {error} ×{count} (par exemple {example})")
        print(f"Écritures réussies : {dict(run.writes)} ; refusées par le formulaire : {len(run.refused_writes)}")

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
        checks = consistency(run, before, log_path)
        print("\nCohérence de la base après la charge :")
        for label, ok, detail in checks:
            print(f"  {'ok ' if ok else 'NON'} {label} ({detail})")
        result |= {
            "users": args.users,
            "think_seconds": args.think,
            "gunicorn": {"workers": args.workers, "threads": args.threads},
            "errors": [list(e) for e in run.errors],
            "writes": dict(run.writes),
            "refused_writes": len(run.refused_writes),
            "consistency": {label: ok for label, ok, _ in checks},
        }
        if args.json:
            args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return 0 if not run.errors and not run.refused_writes and all(ok for _, ok, _ in checks) else 1
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        drop_database(args.postgres)
        for name in ("static", "media"):
            shutil.rmtree(folder / name, ignore_errors=True)
        print(f"Base {DATABASE} supprimée ; journal du serveur : {log_path}")


if __name__ == "__main__":
    sys.exit(main())
