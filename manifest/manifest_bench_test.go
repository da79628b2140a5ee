package manifest

import (
	"testing"
)

func benchEntries() []Entry { return sampleEntries(100_000) }

func BenchmarkDecodeManifest100k(b *testing.B) {
	entries := benchEntries()
	data, err := EncodeManifest(entries, EncodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		es, err := DecodeManifest("bench", data)
		if err != nil || len(es) != len(entries) {
			b.Fatal(err, len(es))
		}
	}
	b.ReportMetric(float64(len(entries))*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkEncodeManifest100k(b *testing.B) {
	entries := benchEntries()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeManifest(entries, EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(entries))*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkMerge100k(b *testing.B) {
	entries := benchEntries()
	for i := range entries {
		entries[i].Kind = Add
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Merge(entries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(entries))*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
