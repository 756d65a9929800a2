# Sourced by scripts/test: the programs some tests need beyond Python, from Debian's packages.
# Java runs HermiT (owlready2) in the ontology tests and a java.net.http client in the HTTP tests (its
# source launcher needs the JDK); chromium renders the HTML pages (headless); Virtuoso 7, a second real
# SPARQL server for the remote backend, only for `./scripts/test --with-virtuoso`.
# Installed when missing and this is a root shell with apt-get (CI, containers); otherwise say so.
_missing=""
command -v javac >/dev/null 2>&1 || _missing="$_missing default-jdk-headless"
command -v chromium >/dev/null 2>&1 || _missing="$_missing chromium"
case " $* " in *" --with-virtuoso "*) command -v virtuoso-t >/dev/null 2>&1 || _missing="$_missing virtuoso-opensource" ;; esac
if [ -n "$_missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $_missing >/dev/null
    else
        echo "scripts/test: install these Debian packages first (their tests fail without them):$_missing" >&2
    fi
fi
