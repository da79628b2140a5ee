// Package driver runs the interop matrix of interop/README.md: tables
// written by one engine (floe, Java Paimon, pypaimon, Spark SQL) and read
// by the others, compared dump for dump. The tests need the build tag
// interop (go test -tags interop ./interop/driver); interop/run sets up
// the engines and regenerates docs/compatibility.md.
package driver
