package table

// ResetManifestCache empties the process's cache of decoded manifests
// (benchmarks of cold planning).
func ResetManifestCache() {
	if c := ManifestCache(); c != nil {
		c.Reset()
	}
	lastLive.reset()
}
