//! Reading QR codes from uploaded images without stalling the service: the pixel work runs
//! on tokio's blocking threads, at most a few at a time, with a bounded queue and a time
//! limit, so requests that need no image are answered as usual while images are read.
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use regie_qr_image::ImageError;
use tokio::sync::Semaphore;

use crate::documents::qr_text_in_image;

/// Why an image was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageWorkError {
    /// The image itself: too large, too many pixels, not an image, no QR code, too slow.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// Too many images are waiting already.
    #[error("too many images are being read at the moment; try again shortly")]
    Busy,
}

/// The bounded pool for image work.
pub struct ImagePool {
    /// Images being read at once.
    running: Arc<Semaphore>,
    /// Images admitted at all (running or waiting): each holds its upload in memory.
    admitted: Arc<Semaphore>,
    capacity: usize,
    /// How long one image may take, waiting included.
    time_limit: Duration,
}

impl ImagePool {
    /// `concurrent` images read at once, `queued` more waiting, each within `time_limit`.
    pub fn new(concurrent: usize, queued: usize, time_limit: Duration) -> ImagePool {
        let capacity = concurrent.max(1) + queued;
        ImagePool {
            running: Arc::new(Semaphore::new(concurrent.max(1))),
            admitted: Arc::new(Semaphore::new(capacity)),
            capacity,
            time_limit,
        }
    }

    /// The pool for a machine with `cores` processor cores: never more image threads than
    /// half of them (at least one), so the runtime keeps a core for everything else.
    pub fn for_cores(cores: usize) -> ImagePool {
        let concurrent = (cores / 2).max(1);
        ImagePool::new(concurrent, 4 * concurrent, Duration::from_secs(15))
    }

    /// How many images are being read or waiting now (for metrics and tests).
    pub fn in_use(&self) -> usize {
        self.capacity - self.admitted.available_permits()
    }

    /// The document's QR text in an image, read on the pool.
    pub async fn qr_text(&self, image: Bytes) -> Result<String, ImageWorkError> {
        // Size and pixel count from the header first: a refused image never waits.
        regie_qr_image::check_size(&image)?;
        let Ok(_admitted) = self.admitted.clone().try_acquire_owned() else {
            return Err(ImageWorkError::Busy);
        };
        let deadline = Instant::now() + self.time_limit;
        let running =
            tokio::time::timeout_at(deadline.into(), self.running.clone().acquire_owned());
        let permit = match running.await {
            Ok(Ok(permit)) => permit,
            // Waiting this long says the service is loaded, not that the image is bad.
            Ok(Err(_)) | Err(_) => return Err(ImageWorkError::Busy),
        };
        // The permit moves into the blocking task: it is released when the work really
        // ends, so an abandoned image still counts against the limit until then; the
        // deadline makes the work itself stop at its next attempt.
        let work = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            qr_text_in_image(&image, Some(deadline))
        });
        match tokio::time::timeout_at(deadline.into(), work).await {
            Ok(Ok(result)) => Ok(result?),
            // The work panicked: treat the image as unreadable rather than fail the request.
            Ok(Err(_)) => Err(ImageError::NotAnImage.into()),
            Err(_) => Err(ImageError::TooSlow.into()),
        }
    }
}
