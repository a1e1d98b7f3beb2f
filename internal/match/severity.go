package match

import "github.com/kwikpaisa/recon/internal/recon"

// moved reports whether a status class means money moved.
func moved(classes ...recon.StatusClass) bool {
	for _, c := range classes {
		switch c {
		case recon.StatusSuccess, recon.StatusRefunded, recon.StatusReversed:
			return true
		}
	}
	return false
}
