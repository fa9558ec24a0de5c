# shellcheck shell=bash
# Shared bootstrap for the scripts (./scripts/serve, ./scripts/test, ...). Source it, then call `bootstrap`.
#
# Works on a fresh clone: creates .venv/ and .local/ when they are missing, and does nothing
# slow when they are current (a stamp under .venv holds the hash of the requirement files).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV_DIR="$REPO_ROOT/.venv"
VENV_PYTHON="$VENV_DIR/bin/python"
LOCAL_DIR="$REPO_ROOT/.local"
REQUIREMENTS_STAMP="$VENV_DIR/.requirements-stamp"
# chalice 1.34 refuses pip >= 26.3.
PIP_CONSTRAINT_SPEC='pip<26.3'
# Bump to make every existing .venv reinstall (when the install steps below change).
BOOTSTRAP_VERSION=2

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf '\n!!! %s\n\n' "$*" >&2; }
die() {
    printf '\nERROR: %s\n' "$*" >&2
    exit 1
}

banner() {
    # A message nobody scrolls past: a framed block on stderr.
    local line='!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
    printf '\n%s\n' "$line" >&2
    local text
    for text in "$@"; do printf '!!! %s\n' "$text" >&2; done
    printf '%s\n\n' "$line" >&2
}

requirements_hash() {
    {
        python3 --version 2>&1
        printf '%s %s\n' "$PIP_CONSTRAINT_SPEC" "$BOOTSTRAP_VERSION"
        cat "$REPO_ROOT/requirements-dev.txt" "$REPO_ROOT/api/requirements.txt"
    } | sha256sum | cut -d' ' -f1
}

ensure_venv() {
    command -v python3 >/dev/null || die "python3 is not installed"
    if [[ ! -x "$VENV_PYTHON" ]]; then
        log "creating .venv (python3 -m venv)"
        python3 -m venv "$VENV_DIR" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    fi
    local want have=""
    want="$(requirements_hash)"
    [[ -f "$REQUIREMENTS_STAMP" ]] && have="$(cat "$REQUIREMENTS_STAMP")"
    if [[ "$want" == "$have" ]]; then
        log ".venv is current (requirements unchanged)"
        return 0
    fi
    local started=$SECONDS pip_log="$LOCAL_DIR/logs/pip-install.log"
    mkdir -p "$(dirname "$pip_log")"
    log "installing $PIP_CONSTRAINT_SPEC and requirements-dev.txt into .venv (log: .local/logs/pip-install.log)"
    if ! { "$VENV_PYTHON" -m pip install --disable-pip-version-check --upgrade "$PIP_CONSTRAINT_SPEC" \
        && "$VENV_PYTHON" -m pip install --disable-pip-version-check -r "$REPO_ROOT/requirements-dev.txt"; } \
        >"$pip_log" 2>&1; then
        tail -n 40 "$pip_log" >&2
        die "pip install failed (full log: $pip_log)"
    fi
    printf '%s\n' "$want" >"$REQUIREMENTS_STAMP"
    log "python packages installed in $((SECONDS - started)) s"
}

ensure_dynamodb_local() {
    # One implementation (scripts/lib/dynamodb_local.py), also used by the test fixtures.
    if ! command -v npm >/dev/null; then
        warn "npm is missing: cannot install DynamoDB Local (npm pack amplify-dynamodb-simulator)"
        return 0
    fi
    (cd "$REPO_ROOT" && "$VENV_PYTHON" -m scripts.lib.dynamodb_local install) \
        || die "installing DynamoDB Local into .local/dynamodb-local failed"
}

ensure_mail_server() {
    # The local SES v2 server (npm aws-ses-v2-local, pinned with its dependencies by
    # scripts/lib/npm/aws-ses-v2-local/package-lock.json); scripts/lib/mail_server.py, like the tests.
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
        warn "node or npm is missing: cannot install the local mail server (aws-ses-v2-local)"
        return 0
    fi
    (cd "$REPO_ROOT" && "$VENV_PYTHON" -m scripts.lib.mail_server install) \
        || die "installing aws-ses-v2-local into .local/aws-ses-v2-local failed"
}

bootstrap() {
    cd "$REPO_ROOT" || die "cannot cd to $REPO_ROOT"
    mkdir -p "$LOCAL_DIR"
    ensure_venv
    ensure_dynamodb_local
    ensure_mail_server
    export PATH="$VENV_DIR/bin:$PATH"
    export VIRTUAL_ENV="$VENV_DIR"
    export NO_MKDOCS_2_WARNING=1
}
