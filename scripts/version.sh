#!/bin/sh
# The version make stamps into the binary (-X main.version): the git tag
# (v1.2.0, or v1.2.0-3-gabc1234 three commits later), else dev-COMMIT;
# -dirty when the checkout has uncommitted changes. "dev" outside git.
cd "$(dirname "$0")/.." || exit 1
if v=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
  echo "$v"
elif c=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then c="$c-dirty"; fi
  echo "dev-$c"
else
  echo dev
fi
