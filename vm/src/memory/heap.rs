//! The object table: every heap object (string, array, map, form, pick) lives in one slot of a
//! `Vec`, and a reference is the slot's index stored untagged in a 64-bit register (0 is `null`).
//!
//! Freed slots go on a free list and are reused by the next allocation, so allocating is a `pop` and a
//! store (plus the object's own buffer). Every access checks the slot: a null reference gives the
//! runtime error `null dereference`, and a stale or mistyped one gives an internal error instead of a
//! panic, so no module that passed the verifier can crash the host.
//!
//! The heap keeps an estimate of its size in bytes; the interpreter asks
//! [`should_collect`](Heap::should_collect) at its safe points and then runs the collector
//! ([`super::gc`]). Memory a run holds outside the table on behalf of the program (the register
//! stacks and records of the threads it spawned) is charged to the same limit as "external" bytes,
//! which the collector never frees: their owner gives them back.

use std::collections::HashMap;
use std::mem::size_of;
use std::time::Duration;

use crate::bytecode::ValueKind;
use crate::error::Trap;

use super::layout::Layouts;
use super::map::{FxBuildHasher, KeyKind, KeyRef, MapEntries, MapKey};
use super::text::{self, Text};

/// A growable array: its element representation and the elements as register words.
#[derive(Clone, Debug)]
pub struct ArrayObject {
    /// How the elements are held.
    pub kind: ValueKind,
    /// The elements.
    pub items: Vec<u64>,
}

/// A map: its key type, its value representation and its insertion-ordered entries.
#[derive(Clone, Debug)]
pub struct MapObject {
    /// The key type.
    pub key: KeyKind,
    /// How the values are held.
    pub value: ValueKind,
    /// The entries, in insertion order.
    pub entries: MapEntries,
}

/// How many field values a form or pick holds without a separate allocation.
pub const INLINE_FIELDS: usize = 2;

/// The field values of a form or the payload of a pick: up to [`INLINE_FIELDS`] stored in the object
/// itself (no allocation for small records such as tree nodes), more in a boxed slice.
#[derive(Clone, Debug)]
pub enum Fields {
    /// `len` values (at most [`INLINE_FIELDS`]) stored inline.
    Inline {
        /// How many of `values` are used.
        len: u8,
        /// The values; those past `len` are zero.
        values: [u64; INLINE_FIELDS],
    },
    /// More values than fit inline.
    Boxed(Box<[u64]>),
}

impl Fields {
    /// A copy of `values`.
    pub fn from_slice(values: &[u64]) -> Fields {
        match values.len() {
            len @ 0..=INLINE_FIELDS => {
                let mut inline = [0; INLINE_FIELDS];
                inline[..len].copy_from_slice(values);
                Fields::Inline {
                    len: len as u8,
                    values: inline,
                }
            }
            _ => Fields::Boxed(values.into()),
        }
    }
}

impl std::ops::Deref for Fields {
    type Target = [u64];

    #[inline]
    fn deref(&self) -> &[u64] {
        match self {
            Fields::Inline { len, values } => values.get(..usize::from(*len)).unwrap_or_default(),
            Fields::Boxed(values) => values,
        }
    }
}

impl std::ops::DerefMut for Fields {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u64] {
        match self {
            Fields::Inline { len, values } => {
                values.get_mut(..usize::from(*len)).unwrap_or_default()
            }
            Fields::Boxed(values) => values,
        }
    }
}

/// A form instance.
#[derive(Clone, Debug)]
pub struct FormObject {
    /// Index into the module's forms (and [`Layouts::forms`]).
    pub form: u32,
    /// Field values in declaration order.
    pub fields: Fields,
}

/// A pick value.
#[derive(Clone, Debug)]
pub struct PickObject {
    /// Index into the module's picks (and [`Layouts::picks`]).
    pub pick: u32,
    /// The case (tag).
    pub case: u32,
    /// Payload values in order.
    pub payload: Fields,
}

/// One slot of the object table.
#[derive(Clone, Debug, Default)]
pub enum Object {
    /// An unused slot (slot 0, which stands for `null`, is always free).
    #[default]
    Free,
    /// Immutable UTF-8 text (inline when short, see [`Text`]).
    Str(Text),
    /// UTF-8 text that `concat.append` grows in place, with spare capacity. Only the register of
    /// the variable that built it refers to it (the compiler uses `concat.append` only for a
    /// variable whose value nothing else keeps), so for everyone else it is a string like `Str`.
    Builder(String),
    /// `[T]`.
    Array(ArrayObject),
    /// `Map[K, V]` (boxed: maps are rarer and larger than the other objects).
    Map(Box<MapObject>),
    /// A form instance.
    Form(FormObject),
    /// A pick value.
    Pick(PickObject),
    /// A `Thread` handle: the id of a VM thread (its state lives in the scheduler).
    Thread(u32),
    /// A `Chan[T]` (boxed: its queues are larger than the other objects).
    Chan(Box<ChanObject>),
}

/// A channel: its capacity, its buffer and the threads waiting on it.
///
/// Values waiting in `buffer` and in `senders` are "in transit": the collector marks them through
/// the channel (when `kind` is a reference kind).
#[derive(Clone, Debug)]
pub struct ChanObject {
    /// How the values are held.
    pub kind: ValueKind,
    /// How many values `send` may leave in the buffer without blocking (0: rendezvous).
    pub cap: usize,
    /// Values sent and not yet received, oldest first.
    pub buffer: std::collections::VecDeque<u64>,
    /// Blocked senders, first come first served: thread id and the value it sends.
    pub senders: std::collections::VecDeque<(u32, u64)>,
    /// Blocked receivers, first come first served: thread id and the register that receives.
    pub receivers: std::collections::VecDeque<(u32, u16)>,
}

/// How many objects of one kind the heap holds, and their estimated bytes (slot included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindStats {
    /// Objects of this kind (live or not yet collected).
    pub objects: usize,
    /// Their estimated bytes.
    pub bytes: usize,
}

/// What the heap holds, for tests, tools and tuning (`vitte run --heap-stats`).
///
/// Counts and bytes are deterministic for a given program and build; the pause durations are measured
/// with the host's clock and are not (they never influence the program).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Objects currently in the table (live or not yet collected).
    pub objects: usize,
    /// Estimated bytes held by those objects.
    pub bytes: usize,
    /// Number of slots of the object table.
    pub slots: usize,
    /// Collections run so far.
    pub collections: u64,
    /// Objects that survived the last collection.
    pub live_after_last_collection: usize,
    /// Strings.
    pub strings: KindStats,
    /// Arrays.
    pub arrays: KindStats,
    /// Maps.
    pub maps: KindStats,
    /// Form instances.
    pub forms: KindStats,
    /// Pick values.
    pub picks: KindStats,
    /// Thread handles and channels.
    pub threads: KindStats,
    /// Bytes charged to the limit outside the object table: the register stacks of the threads the
    /// running program spawned and are still alive, and the scheduler's record of every thread it
    /// spawned (kept for `join` until the run ends). Not part of `bytes` or `peak_bytes`, and
    /// always 0 between runs.
    pub external_bytes: usize,
    /// The most estimated bytes the heap held at any time (measured before each collection and now).
    pub peak_bytes: usize,
    /// Time spent collecting, in total.
    pub total_gc_pause: Duration,
    /// The longest single collection.
    pub longest_gc_pause: Duration,
}

/// Estimated bytes of one table slot.
pub(crate) const SLOT_BYTES: usize = size_of::<Object>();
/// Collections never start before the heap holds this many bytes.
pub(crate) const MIN_COLLECT_BYTES: usize = 2 << 20;
/// The next collection starts when the heap has grown to this multiple of what survived the last one.
pub(crate) const GROWTH_FACTOR: usize = 2;

/// The garbage-collected heap of one VM.
#[derive(Debug)]
pub struct Heap {
    pub(crate) objects: Vec<Object>,
    pub(crate) marks: Vec<bool>,
    pub(crate) free: Vec<u32>,
    pub(crate) pinned: HashMap<u64, usize, FxBuildHasher>,
    pub(crate) mark_stack: Vec<u64>,
    pub(crate) layouts: Layouts,
    /// Estimated bytes: what survived the last collection plus what was allocated since.
    pub(crate) bytes: usize,
    /// Bytes charged outside the table (see [`HeapStats::external_bytes`]). They count against the
    /// limit but not towards the collection threshold: collecting cannot free them.
    pub(crate) external_bytes: usize,
    pub(crate) next_collect: usize,
    /// The most bytes the heap may hold after a collection (`None`: no limit).
    pub(crate) limit: Option<usize>,
    pub(crate) collections: u64,
    pub(crate) live_after_last_collection: usize,
    /// The most bytes seen before a collection.
    pub(crate) peak_bytes: usize,
    pub(crate) total_gc_pause: Duration,
    pub(crate) longest_gc_pause: Duration,
}

impl Default for Heap {
    fn default() -> Heap {
        Heap::new(Layouts::default())
    }
}

impl Heap {
    /// An empty heap for a module with these form and pick layouts.
    pub fn new(layouts: Layouts) -> Heap {
        Heap {
            objects: vec![Object::Free],
            marks: Vec::new(),
            free: Vec::new(),
            pinned: HashMap::default(),
            mark_stack: Vec::new(),
            layouts,
            bytes: 0,
            external_bytes: 0,
            next_collect: MIN_COLLECT_BYTES,
            limit: None,
            collections: 0,
            live_after_last_collection: 0,
            peak_bytes: 0,
            total_gc_pause: Duration::ZERO,
            longest_gc_pause: Duration::ZERO,
        }
    }

    /// The form and pick layouts this heap's objects follow.
    pub fn layouts(&self) -> &Layouts {
        &self.layouts
    }

    /// Counters describing the heap. The figures by kind walk the object table.
    pub fn stats(&self) -> HeapStats {
        let mut stats = HeapStats {
            objects: self.objects.len() - 1 - self.free.len(),
            bytes: self.bytes,
            external_bytes: self.external_bytes,
            slots: self.objects.len(),
            collections: self.collections,
            live_after_last_collection: self.live_after_last_collection,
            peak_bytes: self.peak_bytes.max(self.bytes),
            total_gc_pause: self.total_gc_pause,
            longest_gc_pause: self.longest_gc_pause,
            ..HeapStats::default()
        };
        for object in self.objects.iter().skip(1) {
            let kind = match object {
                Object::Free => continue,
                Object::Str(_) | Object::Builder(_) => &mut stats.strings,
                Object::Array(_) => &mut stats.arrays,
                Object::Map(_) => &mut stats.maps,
                Object::Form(_) => &mut stats.forms,
                Object::Pick(_) => &mut stats.picks,
                Object::Thread(_) | Object::Chan(_) => &mut stats.threads,
            };
            kind.objects += 1;
            kind.bytes += Heap::object_bytes(object);
        }
        stats
    }

    /// Limits the heap to about `limit` bytes (`None`: no limit). A single allocation larger than what
    /// the external bytes leave of the limit, or a heap still larger than that after a collection,
    /// raises `heap limit of N bytes exceeded`. Memory then stays below about three times the limit
    /// (the collector lets garbage grow up to the limit).
    pub fn set_limit(&mut self, limit: Option<usize>) {
        self.limit = limit;
        self.next_collect = self.threshold(self.bytes);
    }

    /// The limit set by [`set_limit`](Heap::set_limit).
    pub fn limit(&self) -> Option<usize> {
        self.limit
    }

    /// Checks that an object of `bytes` bytes may be allocated (before building it).
    ///
    /// # Errors
    /// `heap limit of N bytes exceeded` when it is larger than what the external bytes leave of the
    /// limit.
    #[inline]
    pub fn check_alloc(&self, bytes: usize) -> Result<(), Trap> {
        match self.limit {
            Some(limit) if bytes.saturating_add(self.external_bytes) > limit => {
                Err(heap_limit_exceeded(limit))
            }
            _ => Ok(()),
        }
    }

    /// Checks the heap against its limit (after a collection).
    ///
    /// # Errors
    /// `heap limit of N bytes exceeded` when the heap and the external bytes together hold more
    /// than the limit.
    pub fn check_limit(&self) -> Result<(), Trap> {
        match self.limit {
            Some(limit) if self.bytes.saturating_add(self.external_bytes) > limit => {
                Err(heap_limit_exceeded(limit))
            }
            _ => Ok(()),
        }
    }

    /// Charges `bytes` held outside the table to the limit, checked as an allocation of that size
    /// (before the memory is reserved). Their owner gives them back with
    /// [`release_external`](Heap::release_external).
    ///
    /// # Errors
    /// `heap limit of N bytes exceeded`, as [`check_alloc`](Heap::check_alloc); nothing is charged.
    pub(crate) fn charge_external(&mut self, bytes: usize) -> Result<(), Trap> {
        self.check_alloc(bytes)?;
        self.external_bytes = self.external_bytes.saturating_add(bytes);
        Ok(())
    }

    /// Gives back `bytes` charged by [`charge_external`](Heap::charge_external).
    pub(crate) fn release_external(&mut self, bytes: usize) {
        debug_assert!(
            bytes <= self.external_bytes,
            "released more than was charged"
        );
        self.external_bytes = self.external_bytes.saturating_sub(bytes);
    }

    /// The size at which the next collection starts, given what survived the last one.
    pub(crate) fn threshold(&self, live_bytes: usize) -> usize {
        let grown = live_bytes
            .saturating_mul(GROWTH_FACTOR)
            .max(MIN_COLLECT_BYTES);
        match self.limit {
            Some(limit) => grown.min(limit),
            None => grown,
        }
    }

    /// True when the interpreter should collect at its next safe point: always under the `stress_gc`
    /// feature, otherwise when the heap has grown past its threshold.
    #[inline]
    pub fn should_collect(&self) -> bool {
        cfg!(feature = "stress_gc") || self.bytes >= self.next_collect
    }

    /// Keeps `handle` (and what it references) alive until a matching [`unpin`](Heap::unpin), for
    /// references held outside registers and globals (interned constants, natives). Null is ignored.
    pub fn pin(&mut self, handle: u64) {
        if handle != 0 {
            *self.pinned.entry(handle).or_insert(0) += 1;
        }
    }

    /// Undoes one [`pin`](Heap::pin).
    pub fn unpin(&mut self, handle: u64) {
        if let Some(count) = self.pinned.get_mut(&handle) {
            *count -= 1;
            if *count == 0 {
                self.pinned.remove(&handle);
            }
        }
    }

    #[inline]
    fn alloc(&mut self, object: Object, bytes: usize) -> u64 {
        self.bytes = self.bytes.saturating_add(SLOT_BYTES + bytes);
        if let Some(index) = self.free.pop()
            && let Some(slot) = self.objects.get_mut(index as usize)
        {
            *slot = object;
            return u64::from(index);
        }
        self.objects.push(object);
        (self.objects.len() - 1) as u64
    }

    /// Allocates a string.
    #[inline]
    pub fn alloc_str(&mut self, text: Text) -> u64 {
        let bytes = text::outside_bytes(&text);
        self.alloc(Object::Str(text), bytes)
    }

    /// `concat`: a new string, the string `left` followed by the string `right`.
    ///
    /// # Errors
    /// `null dereference` or an internal error for a handle that is not a string; the heap limit
    /// or `out of memory` when the text cannot be allocated.
    #[inline(never)]
    pub fn concat(&mut self, left: u64, right: u64) -> Result<u64, Trap> {
        let (left, right) = (self.str(left)?, self.str(right)?);
        let length = left.len() + right.len();
        self.check_alloc(length)?;
        let mut text = Text::try_with_capacity(length).map_err(|_| out_of_memory(length))?;
        text.push_str(left);
        text.push_str(right);
        Ok(self.alloc_str(text))
    }

    /// `concat.append`: the string `target` followed by the string `piece`. A builder `target`
    /// (see [`Object::Builder`]) grows in place and is the result; any other becomes a new builder
    /// holding a copy, which later appends grow.
    ///
    /// # Errors
    /// `null dereference` or an internal error for a handle that is not a string; the heap limit
    /// or `out of memory` when the text cannot grow.
    pub fn append_string(&mut self, target: u64, piece: u64) -> Result<u64, Trap> {
        let length = self.str(target)?.len() + self.str(piece)?.len();
        self.check_alloc(length)?;
        let grown = |text: &mut String, piece: &str| -> Result<usize, Trap> {
            let before = text.capacity();
            text.try_reserve(piece.len())
                .map_err(|_| out_of_memory(length))?;
            text.push_str(piece);
            Ok(text.capacity() - before)
        };
        let index = usize::try_from(target).unwrap_or(usize::MAX);
        let added = if target == piece {
            match self.objects.get_mut(index) {
                Some(Object::Builder(text)) => {
                    let copy = text.clone();
                    Some(grown(text, &copy)?)
                }
                _ => None,
            }
        } else {
            let piece_index = usize::try_from(piece).unwrap_or(usize::MAX);
            match self.objects.get_disjoint_mut([index, piece_index]) {
                Ok([Object::Builder(text), Object::Str(other)]) => Some(grown(text, other)?),
                Ok([Object::Builder(text), Object::Builder(other)]) => Some(grown(text, other)?),
                _ => None,
            }
        };
        if let Some(added) = added {
            self.bytes = self.bytes.saturating_add(added);
            return Ok(target);
        }
        let mut text = String::new();
        text.try_reserve_exact(length)
            .map_err(|_| out_of_memory(length))?;
        text.push_str(self.str(target)?);
        text.push_str(self.str(piece)?);
        let bytes = text.capacity();
        Ok(self.alloc(Object::Builder(text), bytes))
    }

    /// Allocates a string from a `String` (its spare capacity is released).
    pub fn alloc_string(&mut self, text: String) -> u64 {
        self.alloc_str(text::from_string(text))
    }

    /// Allocates an array whose elements are held as `kind`.
    pub fn alloc_array(&mut self, kind: ValueKind, items: Vec<u64>) -> u64 {
        let bytes = items.capacity() * 8;
        self.alloc(Object::Array(ArrayObject { kind, items }), bytes)
    }

    /// Allocates an empty map.
    pub fn alloc_map(&mut self, key: KeyKind, value: ValueKind) -> u64 {
        let map = MapObject {
            key,
            value,
            entries: MapEntries::default(),
        };
        self.alloc(Object::Map(Box::new(map)), size_of::<MapObject>())
    }

    /// Allocates an instance of form `form` with a copy of `fields` (which must follow its layout).
    pub fn alloc_form(&mut self, form: u32, fields: &[u64]) -> u64 {
        let bytes = boxed_bytes(fields);
        let fields = Fields::from_slice(fields);
        self.alloc(Object::Form(FormObject { form, fields }), bytes)
    }

    /// Allocates a value of case `case` of pick `pick` with a copy of `payload` (which must follow
    /// the case's layout).
    pub fn alloc_pick(&mut self, pick: u32, case: u32, payload: &[u64]) -> u64 {
        let bytes = boxed_bytes(payload);
        let payload = Fields::from_slice(payload);
        self.alloc(
            Object::Pick(PickObject {
                pick,
                case,
                payload,
            }),
            bytes,
        )
    }

    /// Allocates a `Thread` handle for thread `id`.
    pub fn alloc_thread(&mut self, id: u32) -> u64 {
        self.alloc(Object::Thread(id), 0)
    }

    /// Allocates an empty channel of capacity `cap` whose values are held as `kind`.
    pub fn alloc_chan(&mut self, kind: ValueKind, cap: usize) -> u64 {
        let chan = ChanObject {
            kind,
            cap,
            buffer: std::collections::VecDeque::new(),
            senders: std::collections::VecDeque::new(),
            receivers: std::collections::VecDeque::new(),
        };
        self.alloc(Object::Chan(Box::new(chan)), size_of::<ChanObject>())
    }

    /// The thread id of `Thread` handle `handle`.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    pub fn thread(&self, handle: u64) -> Result<u32, Trap> {
        match self.get(handle)? {
            Object::Thread(id) => Ok(*id),
            _ => Err(mistyped("thread")),
        }
    }

    /// The channel `handle`, to change.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    pub fn chan_mut(&mut self, handle: u64) -> Result<&mut ChanObject, Trap> {
        match self.get_mut(handle)? {
            Object::Chan(chan) => Ok(chan),
            _ => Err(mistyped("channel")),
        }
    }

    /// The object `handle` refers to.
    ///
    /// # Errors
    /// `null dereference` for null; an internal error for a handle that names no live object.
    #[inline]
    pub fn get(&self, handle: u64) -> Result<&Object, Trap> {
        if handle == 0 {
            return Err(Trap::null_dereference());
        }
        match usize::try_from(handle)
            .ok()
            .and_then(|index| self.objects.get(index))
        {
            Some(Object::Free) | None => Err(stale(handle)),
            Some(object) => Ok(object),
        }
    }

    #[inline]
    fn get_mut(&mut self, handle: u64) -> Result<&mut Object, Trap> {
        if handle == 0 {
            return Err(Trap::null_dereference());
        }
        match usize::try_from(handle)
            .ok()
            .and_then(|index| self.objects.get_mut(index))
        {
            Some(Object::Free) | None => Err(stale(handle)),
            Some(object) => Ok(object),
        }
    }

    /// The text of string `handle`.
    ///
    /// # Errors
    /// As [`get`](Heap::get), or an internal error when `handle` is not a string.
    #[inline]
    pub fn str(&self, handle: u64) -> Result<&str, Trap> {
        match self.get(handle)? {
            Object::Str(text) => Ok(text),
            Object::Builder(text) => Ok(text),
            _ => Err(mistyped("string")),
        }
    }

    /// The array `handle`.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    #[inline]
    pub fn array(&self, handle: u64) -> Result<&ArrayObject, Trap> {
        match self.get(handle)? {
            Object::Array(array) => Ok(array),
            _ => Err(mistyped("array")),
        }
    }

    /// The array `handle`, mutably.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    #[inline]
    pub fn array_mut(&mut self, handle: u64) -> Result<&mut ArrayObject, Trap> {
        match self.get_mut(handle)? {
            Object::Array(array) => Ok(array),
            _ => Err(mistyped("array")),
        }
    }

    /// The map `handle`.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    #[inline]
    pub fn map(&self, handle: u64) -> Result<&MapObject, Trap> {
        match self.get(handle)? {
            Object::Map(map) => Ok(map),
            _ => Err(mistyped("map")),
        }
    }

    /// The map `handle`, mutably.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    #[inline]
    pub fn map_mut(&mut self, handle: u64) -> Result<&mut MapObject, Trap> {
        match self.get_mut(handle)? {
            Object::Map(map) => Ok(map),
            _ => Err(mistyped("map")),
        }
    }

    /// The form instance `handle`.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    #[inline]
    pub fn form(&self, handle: u64) -> Result<&FormObject, Trap> {
        match self.get(handle)? {
            Object::Form(form) => Ok(form),
            _ => Err(mistyped("form")),
        }
    }

    /// The form instance `handle`, mutably.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    #[inline]
    pub fn form_mut(&mut self, handle: u64) -> Result<&mut FormObject, Trap> {
        match self.get_mut(handle)? {
            Object::Form(form) => Ok(form),
            _ => Err(mistyped("form")),
        }
    }

    /// The pick value `handle`, to change its payload (a debugger's `setVariable`).
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    pub fn pick_mut(&mut self, handle: u64) -> Result<&mut PickObject, Trap> {
        match self.get_mut(handle)? {
            Object::Pick(pick) => Ok(pick),
            _ => Err(mistyped("pick")),
        }
    }

    /// The pick value `handle`.
    ///
    /// # Errors
    /// As [`str`](Heap::str).
    #[inline]
    pub fn pick(&self, handle: u64) -> Result<&PickObject, Trap> {
        match self.get(handle)? {
            Object::Pick(pick) => Ok(pick),
            _ => Err(mistyped("pick")),
        }
    }

    /// Appends `value` to array `handle`, accounting for the buffer's growth.
    ///
    /// # Errors
    /// As [`array_mut`](Heap::array_mut).
    #[inline]
    pub fn array_push(&mut self, handle: u64, value: u64) -> Result<(), Trap> {
        let array = self.array_mut(handle)?;
        let grown = if array.items.len() == array.items.capacity() {
            array.items.capacity().max(4) * 8
        } else {
            0
        };
        array.items.push(value);
        self.bytes = self.bytes.saturating_add(grown);
        Ok(())
    }

    /// The key held in a register word, for a map whose keys are `kind`.
    ///
    /// # Errors
    /// `null dereference` for a null string key.
    #[inline]
    pub fn key_ref(&self, kind: KeyKind, bits: u64) -> Result<KeyRef<'_>, Trap> {
        Ok(match kind {
            KeyKind::Int => KeyRef::Int(bits as i64),
            KeyKind::Bool => KeyRef::Bool(bits != 0),
            KeyKind::Str => KeyRef::Str(self.str(bits)?),
        })
    }

    /// `map[key] = value`: replaces in place or inserts at the end.
    ///
    /// # Errors
    /// As [`map_mut`](Heap::map_mut) and [`key_ref`](Heap::key_ref).
    pub fn map_set(&mut self, map: u64, key: u64, value: u64) -> Result<(), Trap> {
        let object = self.map(map)?;
        let key_ref = self.key_ref(object.key, key)?;
        if let Some(index) = object.entries.get_index_of(&key_ref) {
            if let Some((_, slot)) = self.map_mut(map)?.entries.get_index_mut(index) {
                *slot = value;
            }
            return Ok(());
        }
        let owned = key_ref.to_owned_key();
        let key_bytes = match &owned {
            MapKey::Str(text) => text::outside_bytes(text),
            _ => 0,
        };
        self.map_mut(map)?.entries.insert(owned, value);
        self.bytes = self.bytes.saturating_add(MAP_ENTRY_BYTES + key_bytes);
        Ok(())
    }

    /// `keys(map)`: a new array of the keys of map `handle`, in insertion order (string keys become
    /// new string objects).
    ///
    /// # Errors
    /// As [`map`](Heap::map).
    pub fn map_keys(&mut self, handle: u64) -> Result<u64, Trap> {
        let map = self.map(handle)?;
        let (kind, items) = match map.key {
            KeyKind::Int | KeyKind::Bool => {
                let kind = if map.key == KeyKind::Int {
                    ValueKind::Int
                } else {
                    ValueKind::Bool
                };
                let items = map
                    .entries
                    .keys()
                    .map(|key| match key {
                        MapKey::Int(value) => *value as u64,
                        MapKey::Bool(value) => u64::from(*value),
                        MapKey::Str(_) => 0,
                    })
                    .collect();
                (kind, items)
            }
            KeyKind::Str => {
                let texts: Vec<Text> = map
                    .entries
                    .keys()
                    .filter_map(|key| match key {
                        MapKey::Str(text) => Some(text.clone()),
                        _ => None,
                    })
                    .collect();
                (
                    ValueKind::Ref,
                    texts.into_iter().map(|text| self.alloc_str(text)).collect(),
                )
            }
        };
        Ok(self.alloc_array(kind, items))
    }

    /// Estimated bytes of `object`, the slot included.
    pub(crate) fn object_bytes(object: &Object) -> usize {
        SLOT_BYTES
            + match object {
                Object::Free => 0,
                Object::Str(text) => text::outside_bytes(text),
                Object::Builder(text) => text.capacity(),
                Object::Array(array) => array.items.capacity() * 8,
                Object::Map(map) => {
                    let keys: usize = map
                        .entries
                        .keys()
                        .map(|key| match key {
                            MapKey::Str(text) => text::outside_bytes(text),
                            _ => 0,
                        })
                        .sum();
                    size_of::<MapObject>() + map.entries.capacity() * MAP_ENTRY_BYTES + keys
                }
                Object::Form(form) => boxed_bytes(&form.fields),
                Object::Pick(pick) => boxed_bytes(&pick.payload),
                Object::Thread(_) => 0,
                Object::Chan(chan) => {
                    size_of::<ChanObject>()
                        + (chan.buffer.capacity() + chan.senders.capacity() * 2) * 8
                        + chan.receivers.capacity() * 8
                }
            }
    }
}

/// Estimated bytes of one map entry (key, value, hash, index).
const MAP_ENTRY_BYTES: usize = size_of::<MapKey>() + 8 + 8 + 8;

/// Bytes allocated outside the slot for these field values.
fn boxed_bytes(values: &[u64]) -> usize {
    if values.len() > INLINE_FIELDS {
        values.len() * 8
    } else {
        0
    }
}

#[cold]
fn heap_limit_exceeded(limit: usize) -> Trap {
    Trap::resource_limit(format!("heap limit of {limit} bytes exceeded"))
}

#[cold]
fn stale(handle: u64) -> Trap {
    Trap::internal(format_args!("reference {handle} names no live object"))
}

/// `out of memory: cannot allocate N bytes`: an allocation the system refused.
#[cold]
pub(crate) fn out_of_memory(bytes: usize) -> Trap {
    Trap::resource_limit(format!("out of memory: cannot allocate {bytes} bytes"))
}

#[cold]
fn mistyped(expected: &str) -> Trap {
    Trap::internal(format_args!("reference is not a {expected}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_count_objects_and_bytes_by_kind() {
        let mut heap = Heap::default();
        let text = heap.alloc_string("four".to_string());
        let long = "a text too long to be stored inline".to_string();
        let long_len = long.len();
        let long = heap.alloc_string(long);
        heap.alloc_array(ValueKind::Ref, vec![text, long]);
        heap.alloc_map(KeyKind::Int, ValueKind::Int);
        heap.alloc_form(0, &[1, 2, 3]);
        heap.alloc_pick(0, 0, &[]);
        let stats = heap.stats();
        assert_eq!(stats.objects, 6);
        assert_eq!(stats.strings.objects, 2);
        // The short text is inline: only the long one has a buffer of its own.
        assert_eq!(stats.strings.bytes, 2 * SLOT_BYTES + long_len);
        assert_eq!(stats.arrays.objects, 1);
        assert_eq!(stats.maps.objects, 1);
        assert_eq!(stats.forms.bytes, SLOT_BYTES + 24);
        assert_eq!(stats.picks.objects, 1);
        let by_kind = [
            stats.strings,
            stats.arrays,
            stats.maps,
            stats.forms,
            stats.picks,
        ];
        assert_eq!(by_kind.iter().map(|k| k.bytes).sum::<usize>(), stats.bytes);
        assert_eq!(stats.peak_bytes, stats.bytes);
        heap.collect([]);
        let after = heap.stats();
        assert_eq!(after.objects, 0);
        assert_eq!(after.collections, 1);
        assert_eq!(after.peak_bytes, stats.bytes);
        assert!(after.longest_gc_pause <= after.total_gc_pause);
    }

    #[test]
    fn the_limit_is_checked_before_allocating() {
        let mut heap = Heap::default();
        heap.set_limit(Some(1000));
        assert!(heap.check_alloc(1000).is_ok());
        let error = heap.check_alloc(1001).map_err(|trap| trap.message);
        assert_eq!(error, Err("heap limit of 1000 bytes exceeded".to_string()));
    }

    #[test]
    fn external_bytes_count_against_the_limit_until_given_back() {
        let mut heap = Heap::default();
        heap.set_limit(Some(1000));
        heap.charge_external(600).expect("600 of 1000 bytes fit");
        assert!(
            heap.charge_external(401).is_err(),
            "nothing is charged then"
        );
        assert_eq!(heap.stats().external_bytes, 600);
        assert!(heap.check_alloc(400).is_ok());
        assert!(heap.check_alloc(401).is_err());
        heap.alloc_string("x".repeat(400));
        assert!(
            heap.check_limit().is_err(),
            "objects and external bytes together"
        );
        assert_eq!(heap.stats().bytes, SLOT_BYTES + 400, "objects only");
        heap.release_external(600);
        assert!(heap.check_limit().is_ok());
        assert_eq!(heap.stats().external_bytes, 0);
    }
}
