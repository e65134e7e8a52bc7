#!/usr/bin/env bash
# t98: a whole Team Picker pick between the two commanders of a real
# capture, with out-of-turn, double and concurrent picks refused.
exec python3 "$SRCDIR/tests/integration/t98_team_picker.py"
