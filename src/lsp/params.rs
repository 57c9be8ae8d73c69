//! How many trainable parameters a planned network has: the runtime builds it without drawing
//! or allocating anything (so a hostile size costs nothing) and counts as the run's own count
//! does, remembered per architecture and input.

use std::cell::RefCell;
use std::collections::HashMap;

use sslc_compiler::plan::Network;
use sslc_runtime::nets::Net;

/// Counts already made, by the network's architecture and input type.
#[derive(Default)]
pub struct Counts(RefCell<HashMap<String, Option<usize>>>);

impl Counts {
    /// The trainable parameters of `net`; `None` where it cannot be built (never applied).
    pub fn of(&self, net: &Network) -> Option<usize> {
        let key = format!("{:?} {:?}", net.kind, net.input);
        if let Some(known) = self.0.borrow().get(&key) {
            return *known;
        }
        let count = Net::count(&net.kind, net.input.as_ref()).ok();
        self.0.borrow_mut().insert(key, count);
        count
    }
}
