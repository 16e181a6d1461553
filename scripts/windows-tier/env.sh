# Shared settings of the Windows tier (sourced by setup.sh, wnode and run.sh).
# Override DSYNC_WINTIER to keep the tier elsewhere.
export DSYNC_WINTIER=${DSYNC_WINTIER:-${XDG_CACHE_HOME:-$HOME/.cache}/dsync-windows-tier}
export DSYNC_NODE_WIN_VERSION=${DSYNC_NODE_WIN_VERSION:-22.23.3}
export NODE_EXE=$DSYNC_WINTIER/node-$DSYNC_NODE_WIN_VERSION/node.exe
export WINE=/usr/lib/wine/wine64 WINESERVER=/usr/lib/wine/wineserver
export WINEPREFIX=$DSYNC_WINTIER/prefix WINEARCH=win64
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono or Gecko download prompts, and no display is needed.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
