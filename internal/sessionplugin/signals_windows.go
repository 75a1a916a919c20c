package sessionplugin

import "os"

// sessionSignals: Windows has no Ctrl-\ or Ctrl-Z signal to keep from
// tamp; Ctrl-C reaches the plugin through the console, as on Unix.
var sessionSignals []os.Signal
