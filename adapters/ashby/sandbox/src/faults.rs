//! Fault decisions drawn from a seeded generator, so a run is reproducible.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What happens to one faultable call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Fate {
    /// Served normally.
    Serve,
    /// HTTP 503 before anything is applied.
    FailBefore,
    /// Applied, then the response is replaced by HTTP 502.
    DropAfter,
}

/// The fault generator.
pub(crate) struct FaultRng {
    rng: StdRng,
}

impl FaultRng {
    pub(crate) fn new(seed: u64) -> FaultRng {
        FaultRng {
            rng: StdRng::seed_from_u64(seed ^ 0xFA01_75EE_D000_0001),
        }
    }

    /// Draws the fate of one call. Two numbers are drawn for every call,
    /// whatever the rates, so the same call sequence gives the same fates.
    pub(crate) fn draw(&mut self, fail_rate: f64, drop_rate: f64, is_write: bool) -> Fate {
        let a: f64 = self.rng.random();
        let b: f64 = self.rng.random();
        if a < fail_rate {
            Fate::FailBefore
        } else if is_write && b < drop_rate {
            Fate::DropAfter
        } else {
            Fate::Serve
        }
    }
}
