//! The collector: precise, non-moving mark and sweep.
//!
//! The caller passes the roots (the reference-typed registers of every live frame, found through each
//! function's register types, and the reference-typed globals); pinned handles (interned constants,
//! anything natives hold) are added here. Marking uses an explicit stack, so deep structures (a long
//! linked list) cannot overflow the Rust stack. Sweeping frees every unmarked slot, trims free slots at
//! the end of the table, rebuilds the free list so the lowest slots are reused first, and measures what
//! survived to set the next threshold.
//!
//! Each collection is timed with the host's monotonic clock for [`super::HeapStats`]; the measurement
//! never influences the program.
//!
//! Collection only happens at the interpreter's safe points (after an allocating instruction stored its
//! result), so no handle is ever held outside the roots while the collector runs.

use std::time::Instant;

use crate::bytecode::ValueKind;

use super::heap::{Heap, Object};
use super::layout::Layouts;

impl Heap {
    /// Frees every object not reachable from `roots` or from a pinned handle. Null, stale and
    /// out-of-range handles among the roots are ignored.
    pub fn collect<I: IntoIterator<Item = u64>>(&mut self, roots: I) {
        let started = Instant::now();
        self.peak_bytes = self.peak_bytes.max(self.bytes);
        let Heap {
            objects,
            marks,
            mark_stack,
            pinned,
            layouts,
            ..
        } = self;
        marks.clear();
        marks.resize(objects.len(), false);
        mark_stack.clear();
        for root in roots.into_iter().chain(pinned.keys().copied()) {
            mark(objects, marks, mark_stack, root);
        }
        while let Some(handle) = mark_stack.pop() {
            trace(objects, marks, mark_stack, layouts, handle);
        }
        self.sweep();
        let pause = started.elapsed();
        self.total_gc_pause = self.total_gc_pause.saturating_add(pause);
        self.longest_gc_pause = self.longest_gc_pause.max(pause);
    }

    fn sweep(&mut self) {
        let mut live_bytes = 0usize;
        let mut live_objects = 0usize;
        for (object, &marked) in self.objects.iter_mut().zip(self.marks.iter()).skip(1) {
            if matches!(object, Object::Free) {
                continue;
            }
            if marked {
                live_bytes += Heap::object_bytes(object);
                live_objects += 1;
            } else {
                *object = Object::Free;
            }
        }
        while self.objects.len() > 1 && matches!(self.objects.last(), Some(Object::Free)) {
            self.objects.pop();
        }
        self.free.clear();
        for index in (1..self.objects.len()).rev() {
            if matches!(self.objects.get(index), Some(Object::Free))
                && let Ok(index) = u32::try_from(index)
            {
                self.free.push(index);
            }
        }
        self.marks.clear();
        self.bytes = live_bytes;
        self.next_collect = self.threshold(live_bytes);
        self.collections += 1;
        self.live_after_last_collection = live_objects;
    }
}

/// Marks `handle` and queues it for tracing when it can hold references.
#[inline]
fn mark(objects: &[Object], marks: &mut [bool], stack: &mut Vec<u64>, handle: u64) {
    if handle == 0 {
        return;
    }
    let Ok(index) = usize::try_from(handle) else {
        return;
    };
    let (Some(object), Some(marked)) = (objects.get(index), marks.get_mut(index)) else {
        return;
    };
    if *marked {
        return;
    }
    let has_children = match object {
        Object::Free => return,
        Object::Str(_) | Object::Builder(_) => false,
        Object::Array(array) => array.kind == ValueKind::Ref && !array.items.is_empty(),
        Object::Map(map) => map.value == ValueKind::Ref && !map.entries.is_empty(),
        Object::Form(_) | Object::Pick(_) => true,
        Object::Thread(_) => false,
        Object::Chan(chan) => chan.kind == ValueKind::Ref,
    };
    *marked = true;
    if has_children {
        stack.push(handle);
    }
}

/// Marks the references held by the object `handle`.
fn trace(
    objects: &[Object],
    marks: &mut [bool],
    stack: &mut Vec<u64>,
    layouts: &Layouts,
    handle: u64,
) {
    let Some(object) = usize::try_from(handle)
        .ok()
        .and_then(|index| objects.get(index))
    else {
        return;
    };
    match object {
        Object::Free | Object::Str(_) | Object::Builder(_) | Object::Thread(_) => {}
        Object::Chan(chan) => {
            if chan.kind == ValueKind::Ref {
                let in_transit = chan.senders.iter().map(|&(_, value)| value);
                for value in chan.buffer.iter().copied().chain(in_transit) {
                    mark(objects, marks, stack, value);
                }
            }
        }
        Object::Array(array) => {
            if array.kind == ValueKind::Ref {
                for &item in &array.items {
                    mark(objects, marks, stack, item);
                }
            }
        }
        Object::Map(map) => {
            if map.value == ValueKind::Ref {
                for &value in map.entries.values() {
                    mark(objects, marks, stack, value);
                }
            }
        }
        Object::Form(form) => {
            if let Some(layout) = layouts.form(form.form) {
                for &field in layout.ref_fields.iter() {
                    if let Some(&value) = form.fields.get(usize::from(field)) {
                        mark(objects, marks, stack, value);
                    }
                }
            }
        }
        Object::Pick(pick) => {
            if let Some(layout) = layouts.case(pick.pick, pick.case) {
                for &field in layout.ref_fields.iter() {
                    if let Some(&value) = pick.payload.get(usize::from(field)) {
                        mark(objects, marks, stack, value);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::layout::Layouts;

    #[test]
    fn unreachable_objects_are_freed_and_slots_reused() {
        let mut heap = Heap::new(Layouts::default());
        let kept = heap.alloc_string("kept".to_string());
        let inner = heap.alloc_string("inner".to_string());
        let array = heap.alloc_array(ValueKind::Ref, vec![inner, 0]);
        let garbage = heap.alloc_string("garbage".to_string());
        heap.collect([kept, array]);
        assert_eq!(heap.stats().objects, 3);
        assert!(heap.get(garbage).is_err());
        assert_eq!(heap.str(inner).unwrap(), "inner");
        let reused = heap.alloc_string("new".to_string());
        assert!(reused < 5);
    }

    #[test]
    fn cycles_and_long_chains_are_collected_without_recursion() {
        let mut heap = Heap::new(Layouts::default());
        let mut previous = 0;
        for _ in 0..200_000 {
            previous = heap.alloc_array(ValueKind::Ref, vec![previous]);
        }
        heap.collect([previous]);
        assert_eq!(heap.stats().objects, 200_000);
        heap.collect([]);
        assert_eq!(heap.stats().objects, 0);
        assert_eq!(heap.stats().slots, 1);
    }

    #[test]
    fn pinned_handles_survive() {
        let mut heap = Heap::new(Layouts::default());
        let text = heap.alloc_string("pinned".to_string());
        heap.pin(text);
        heap.collect([]);
        assert_eq!(heap.str(text).unwrap(), "pinned");
        heap.unpin(text);
        heap.collect([]);
        assert!(heap.str(text).is_err());
    }
}
