# Sourced by the test scripts that install Debian packages they need (tests/browser/run.sh,
# tests/office/run.sh): apt_install PACKAGE... runs apt-get update once, then installs
# quietly; it returns non-zero when either fails.
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -q >/dev/null || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}
