package recon

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestOwnStrings fills every string of an exception from one buffer, as a
// store's day carves its strings from shared blocks, and checks that
// OwnStrings leaves none of them there, nor an amount pointing where it
// pointed: a field added to Exception and not to OwnStrings fails here.
func TestOwnStrings(t *testing.T) {
	buf := make([]byte, 4096)
	used := 0
	carve := func(s string) string {
		n := copy(buf[used:], s)
		out := unsafe.String(&buf[used], n)
		used += n
		return out
	}
	inBuf := func(s string) bool {
		if s == "" {
			return false
		}
		p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&buf[0]))
		return p >= start && p < start+uintptr(len(buf))
	}
	var e Exception
	amounts := map[string]*Amount{}
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch {
		case f.Kind() == reflect.String:
			f.SetString(carve(name + "-value"))
		case f.Type() == reflect.TypeOf([]string(nil)):
			f.Set(reflect.ValueOf([]string{carve("evidence-1"), carve("evidence-2")}))
		case f.Type() == reflect.TypeOf((*Amount)(nil)):
			a := Amount(i)
			amounts[name] = &a
			f.Set(reflect.ValueOf(&a))
		}
	}
	before := e
	before.Evidence = append([]string(nil), e.Evidence...)
	evidence := e.Evidence

	e.OwnStrings()

	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch {
		case f.Kind() == reflect.String:
			if inBuf(f.String()) {
				t.Errorf("%s is still the buffer's", name)
			}
		case f.Type() == reflect.TypeOf([]string(nil)):
			for j := range f.Len() {
				if inBuf(f.Index(j).String()) {
					t.Errorf("%s[%d] is still the buffer's", name, j)
				}
			}
			if f.Len() > 0 && &evidence[0] == &e.Evidence[0] {
				t.Errorf("%s is still the same slice", name)
			}
		case f.Type() == reflect.TypeOf((*Amount)(nil)):
			if f.Interface().(*Amount) == amounts[name] {
				t.Errorf("%s still points where it pointed", name)
			}
		}
	}
	if !reflect.DeepEqual(e, before) {
		t.Errorf("OwnStrings changed the exception:\n%+v\nwant\n%+v", e, before)
	}
}
