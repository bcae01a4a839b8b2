package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode"

	"binakerja"
)

// checkBody walks a JSON body that decoded into a value of type t and refuses
// what encoding/json lets pass: a key given twice in one object (the last
// would win), a key that differs only in case from a field of the request
// (encoding/json matches names case-insensitively, so "Name" would fill
// "name"), both 400 naming the key; and a string holding a control
// character other than a tab or a line break, or invalid UTF-8 (which
// encoding/json would turn into U+FFFD), 422 naming the field.
func checkBody(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return (&bodyWalker{dec: dec, raw: body}).value(t, "")
}

type bodyWalker struct {
	dec *json.Decoder
	raw []byte
}

func (w *bodyWalker) value(t reflect.Type, path string) error {
	start := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return nil // the decoder has judged the syntax already
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return w.object(t, path)
		case '[':
			return w.array(t, path)
		}
	case string:
		if binakerja.HasStrayControl(v) || invalidUTF8(w.raw[start:w.dec.InputOffset()]) {
			return binakerja.FieldInvalid(fieldName(path), "text.control")
		}
	}
	return nil
}

func (w *bodyWalker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := map[string]string{} // folded key → the key as given
	for w.dec.More() {
		start := w.dec.InputOffset()
		tok, err := w.dec.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		at := join(path, key)
		if binakerja.HasStrayControl(key) || invalidUTF8(w.raw[start:w.dec.InputOffset()]) {
			return binakerja.FieldInvalid(fieldName(at), "text.control")
		}
		var child reflect.Type
		if fields != nil {
			f, ok := fields.exact[key]
			if !ok {
				for name := range fields.exact {
					if strings.EqualFold(name, key) {
						return badKey(at, "json.key_case", join(path, name))
					}
				}
			}
			child = f
		} else if elem := mapElem(t); elem != nil {
			child = elem
		}
		folded := key
		if fields != nil {
			folded = fold(key)
		}
		if prev, dup := seen[folded]; dup {
			if prev == key {
				return badKey(at, "json.duplicate_key")
			}
			return badKey(at, "json.key_case", join(path, prev))
		}
		seen[folded] = key
		if err := w.value(child, at); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil { // }
		return nil // the decoder has judged the syntax already
	}
	return nil
}

func (w *bodyWalker) array(t reflect.Type, path string) error {
	var elem reflect.Type
	if t = derefType(t); t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	for w.dec.More() {
		if err := w.value(elem, path); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil { // ]
		return nil // the decoder has judged the syntax already
	}
	return nil
}

func badKey(field, key string, args ...any) error {
	return &binakerja.Error{Kind: binakerja.BadRequest, Key: "json.invalid",
		Fields: []binakerja.FieldError{{Field: field, Key: key, Args: args}}}
}

// join names a field below path as the decoder's errors do: names joined by
// dots, arrays not counted.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldName(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// invalidUTF8 reports whether a JSON string as written holds bytes that are
// not UTF-8 (its escapes are plain ASCII).
func invalidUTF8(raw []byte) bool {
	return !bytes.Equal(bytes.ToValidUTF8(raw, nil), raw)
}

// fold is a key as encoding/json compares it with a field's name.
func fold(s string) string {
	return strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, s)
}

func derefType(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func mapElem(t reflect.Type) reflect.Type {
	if t = derefType(t); t != nil && t.Kind() == reflect.Map {
		return t.Elem()
	}
	return nil
}

// structFields are the JSON names of a struct's fields, with their types.
type structFields struct{ exact map[string]reflect.Type }

var (
	fieldCache  sync.Map // reflect.Type → *structFields
	unmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// jsonFields returns the fields a JSON object decodes into when t is a
// struct that decodes itself field by field; nil otherwise (a map, an
// interface, a type with its own UnmarshalJSON).
func jsonFields(t reflect.Type) *structFields {
	t = derefType(t)
	if t == nil || t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshaler) {
		return nil
	}
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{exact: map[string]reflect.Type{}}
	collectFields(t, f, map[reflect.Type]bool{})
	fieldCache.Store(t, f)
	return f
}

func collectFields(t reflect.Type, f *structFields, visiting map[reflect.Type]bool) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	var embedded []reflect.Type
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			if et := derefType(sf.Type); et.Kind() == reflect.Struct {
				embedded = append(embedded, et) // promoted fields, after the struct's own
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, taken := f.exact[name]; !taken { // the shallower field wins
			f.exact[name] = sf.Type
		}
	}
	for _, et := range embedded {
		collectFields(et, f, visiting)
	}
}
