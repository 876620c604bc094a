//! Relay integration tests: real sfsim and a real relay on port 0, over real sockets.

mod admin;
mod badge_index;
mod connect;
mod crash;
mod documents;
mod faults;
mod fuzz;
mod harness;
mod import;
mod incremental;
mod lists;
mod match_cli;
mod match_report;
mod matching;
mod oauth;
mod observability;
mod payloads;
mod roi;
mod security;
/// The simulator helpers sfsim's own tests use, shared rather than written twice.
#[path = "../../../sfsim/tests/api/harness.rs"]
mod sim_harness;
mod writeback;
mod writeback_crash;

/// Refuses any single allocation over 256 MiB (the process then aborts with the size):
/// no input a test sends may make the relay's parsers allocate without bound.
struct CappedAllocator;

const ALLOCATION_CAP: usize = 256 * 1024 * 1024;

// SAFETY: forwards to the system allocator, refusing only oversized layouts.
unsafe impl std::alloc::GlobalAlloc for CappedAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.size() > ALLOCATION_CAP {
            return std::ptr::null_mut();
        }
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if new_size > ALLOCATION_CAP {
            return std::ptr::null_mut();
        }
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CappedAllocator = CappedAllocator;
