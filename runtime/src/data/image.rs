//! A CPU image: channels × height × width floats in [0, 1], channel-major.

/// An image in CHW layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub data: Vec<f32>,
}

impl Image {
    pub fn new(c: usize, h: usize, w: usize) -> Self {
        Image {
            c,
            h,
            w,
            data: vec![0.0; c * h * w],
        }
    }

    #[inline]
    pub fn at(&self, c: usize, y: usize, x: usize) -> f32 {
        self.data[(c * self.h + y) * self.w + x]
    }

    #[inline]
    pub fn set(&mut self, c: usize, y: usize, x: usize, v: f32) {
        self.data[(c * self.h + y) * self.w + x] = v;
    }

    /// Bilinear sample at real coordinates (pixel centres at .5), clamped at the border.
    pub fn sample(&self, c: usize, y: f32, x: f32) -> f32 {
        let fy = (y - 0.5).clamp(0.0, (self.h - 1) as f32);
        let fx = (x - 0.5).clamp(0.0, (self.w - 1) as f32);
        let (y0, x0) = (fy.floor() as usize, fx.floor() as usize);
        let (y1, x1) = ((y0 + 1).min(self.h - 1), (x0 + 1).min(self.w - 1));
        let (dy, dx) = (fy - y0 as f32, fx - x0 as f32);
        let top = self.at(c, y0, x0) * (1.0 - dx) + self.at(c, y0, x1) * dx;
        let bottom = self.at(c, y1, x0) * (1.0 - dx) + self.at(c, y1, x1) * dx;
        top * (1.0 - dy) + bottom * dy
    }
}
