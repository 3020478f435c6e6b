#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10 only), or explain what
# to install and fail.
set -u
candidates=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  for dir in "$(pyenv root)"/versions/3.10.*; do
    [ -x "$dir/bin/python3.10" ] && candidates+=("$dir/bin/python3.10")
  done
fi
[ -d "$HOME/.pyenv/versions" ] && for dir in "$HOME"/.pyenv/versions/3.10.*; do
  [ -x "$dir/bin/python3.10" ] && candidates+=("$dir/bin/python3.10")
done
for candidate in "${candidates[@]}"; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  # a pyenv shim answers even when no 3.10 is installed: ask the interpreter itself
  if "$path" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
    "$path" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
cat >&2 <<'MSG'
Python 3.10 was not found. Rasa Open Source 3.6 runs on Python 3.8-3.10 only.
Install it, for example:
  pyenv install 3.10        (with pyenv)
  apt-get install python3.10 python3.10-venv   (where your distribution has it)
then run the command again.
MSG
exit 1
