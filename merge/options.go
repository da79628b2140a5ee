package merge

import (
	"sort"
	"strconv"
	"strings"
)

// Options are the merge options of a table, parsed from its option map by
// ParseOptions.
type Options struct {
	Engine       string // merge-engine ("" = deduplicate)
	IgnoreDelete bool   // ignore-delete
	// SequenceFields is sequence.field.
	SequenceFields []string

	// PartialUpdateRemoveOnDelete is partial-update.remove-record-on-delete.
	PartialUpdateRemoveOnDelete bool
	// RemoveOnSequenceGroup is partial-update.remove-record-on-sequence-group:
	// sequence fields whose group's -D removes the whole row.
	RemoveOnSequenceGroup []string
	// AggregationRemoveOnDelete is aggregation.remove-record-on-delete.
	AggregationRemoveOnDelete bool
	// DefaultAggregate is fields.default-aggregate-function.
	DefaultAggregate string
	// SequenceGroups are the fields.<s1,s2>.sequence-group options, in
	// option-key order.
	SequenceGroups []SequenceGroup
	// Fields are the per-column options (fields.<col>.*), by column.
	Fields map[string]FieldOptions
}

// SequenceGroup is one fields.<seq>.sequence-group option: the columns
// Fields are updated only by records whose Sequence columns compare ≥ the
// stored ones.
type SequenceGroup struct {
	Key      string // the option key, for errors
	Sequence []string
	Fields   []string
}

// FieldOptions are the fields.<col>.* merge options of one column.
type FieldOptions struct {
	AggregateFunction string // aggregate-function
	IgnoreRetract     bool   // ignore-retract
	Distinct          bool   // distinct (listagg, collect)
	Delimiter         string // list-agg-delimiter ("" = unset)
	HasDelimiter      bool
	NestedKey         []string // nested-key
	CountLimit        int      // count-limit (0 = unset)
	TsField           string   // ts-field (merge_map_with_keytime; "" = the last field)
}

const fieldsPrefix = "fields."

// ParseOptions reads the merge options from a table's option map. Keys it
// does not know are ignored (the table reports them); values it cannot
// parse are *OptionError.
func ParseOptions(m map[string]string) (Options, error) {
	o := Options{Engine: strings.ToLower(strings.TrimSpace(m["merge-engine"])), DefaultAggregate: m["fields.default-aggregate-function"]}
	var err error
	boolOpt := func(key string) bool {
		v, ok := m[key]
		if !ok || err != nil {
			return false
		}
		b, perr := strconv.ParseBool(strings.TrimSpace(v))
		if perr != nil {
			err = &OptionError{Key: key, Value: v, Reason: "want true or false"}
		}
		return b
	}
	o.IgnoreDelete = boolOpt("ignore-delete") || boolOpt("partial-update.ignore-delete") || boolOpt("first-row.ignore-delete") || boolOpt("deduplicate.ignore-delete")
	o.PartialUpdateRemoveOnDelete = boolOpt("partial-update.remove-record-on-delete")
	o.AggregationRemoveOnDelete = boolOpt("aggregation.remove-record-on-delete")
	o.SequenceFields = list(m["sequence.field"])
	o.RemoveOnSequenceGroup = list(m["partial-update.remove-record-on-sequence-group"])
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// setField applies f to column col's options.
	setField := func(col string, f func(*FieldOptions)) {
		if o.Fields == nil {
			o.Fields = map[string]FieldOptions{}
		}
		fo := o.Fields[col]
		f(&fo)
		o.Fields[col] = fo
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, fieldsPrefix) || k == "fields.default-aggregate-function" {
			continue
		}
		rest := k[len(fieldsPrefix):]
		dot := strings.LastIndexByte(rest, '.')
		if dot <= 0 {
			continue
		}
		col, opt, v := rest[:dot], rest[dot+1:], m[k]
		switch opt {
		case "sequence-group":
			o.SequenceGroups = append(o.SequenceGroups, SequenceGroup{Key: k, Sequence: list(col), Fields: list(v)})
		case "aggregate-function":
			setField(col, func(f *FieldOptions) { f.AggregateFunction = strings.TrimSpace(v) })
		case "ignore-retract":
			b := boolOpt(k)
			setField(col, func(f *FieldOptions) { f.IgnoreRetract = b })
		case "distinct":
			b := boolOpt(k)
			setField(col, func(f *FieldOptions) { f.Distinct = b })
		case "list-agg-delimiter":
			setField(col, func(f *FieldOptions) { f.Delimiter, f.HasDelimiter = v, true })
		case "nested-key":
			setField(col, func(f *FieldOptions) { f.NestedKey = list(v) })
		case "ts-field":
			setField(col, func(f *FieldOptions) { f.TsField = strings.TrimSpace(v) })
		case "count-limit":
			n, perr := strconv.Atoi(strings.TrimSpace(v))
			if perr != nil || n <= 0 {
				if err == nil {
					err = &OptionError{Key: k, Value: v, Column: col, Reason: "want a positive integer"}
				}
				continue
			}
			setField(col, func(f *FieldOptions) { f.CountLimit = n })
		}
	}
	if err != nil {
		return Options{}, err
	}
	return o, nil
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// fieldOptions are the fields.<col>.<option> suffixes merge reads.
var fieldOptions = []string{".sequence-group", ".aggregate-function", ".ignore-retract", ".distinct", ".list-agg-delimiter", ".nested-key", ".count-limit", ".ts-field"}

// IsOption reports whether key is a merge option (read by ParseOptions).
func IsOption(key string) bool {
	switch key {
	case "merge-engine", "fields.default-aggregate-function", "aggregation.remove-record-on-delete",
		"partial-update.remove-record-on-delete", "partial-update.remove-record-on-sequence-group":
		return true
	}
	if strings.HasPrefix(key, fieldsPrefix) {
		for _, s := range fieldOptions {
			if strings.HasSuffix(key, s) {
				return true
			}
		}
	}
	return false
}
