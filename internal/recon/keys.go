package recon

// Keys numbers the keys of one entity (order ids or payout ids) 0, 1, 2…
// in the order they are added, and holds each key's string once: the
// records of a day that name a key can share it. The store builds one per
// entity as it loads a day; matching numbers its facts with the same
// numbers instead of indexing the day's keys a second time.
//
// A Keys is not safe for concurrent use while keys are added.
type Keys struct {
	at   map[string]int32
	list []string
}

// NewKeys returns an empty Keys with room for about n keys.
func NewKeys(n int) *Keys {
	return &Keys{at: make(map[string]int32, n), list: make([]string, 0, n)}
}

// Add returns the number of key and whether it was added by this call.
func (k *Keys) Add(key string) (int32, bool) {
	if i, ok := k.at[key]; ok {
		return i, false
	}
	i := int32(len(k.list))
	k.at[key] = i
	k.list = append(k.list, key)
	return i, true
}

// AddBytes is Add for a key read as bytes: the string is made only when the
// key is new.
func (k *Keys) AddBytes(key []byte) (int32, bool) {
	if i, ok := k.at[string(key)]; ok {
		return i, false
	}
	return k.Add(string(key))
}

// Find returns the number of key, or false when it was never added.
func (k *Keys) Find(key string) (int32, bool) {
	i, ok := k.at[key]
	return i, ok
}

// FindBytes is Find for a key read as bytes.
func (k *Keys) FindBytes(key []byte) (int32, bool) {
	i, ok := k.at[string(key)]
	return i, ok
}

// Key returns the key numbered i.
func (k *Keys) Key(i int32) string { return k.list[i] }

// Len returns how many keys there are.
func (k *Keys) Len() int { return len(k.list) }
