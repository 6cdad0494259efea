//! Audio as the synthesisers write it: signed 16-bit samples at their own rate.

use std::path::Path;
use std::time::Duration;

use crate::{MAX_AUDIO, SpeechError};

/// Interleaved 16-bit samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audio {
    pub rate: u32,
    pub channels: u16,
    pub samples: Vec<i16>,
}

impl Audio {
    /// Reads a WAV file of 16-bit PCM, refusing anything longer than [`MAX_AUDIO`].
    pub fn read_wav(path: &Path) -> Result<Audio, SpeechError> {
        let bad = |error: hound::Error| SpeechError::Audio(error.to_string());
        let reader = hound::WavReader::open(path).map_err(bad)?;
        let spec = reader.spec();
        if spec.sample_format != hound::SampleFormat::Int
            || spec.bits_per_sample != 16
            || spec.channels == 0
            || spec.sample_rate == 0
        {
            return Err(SpeechError::Audio(format!(
                "{} channel(s) of {}-bit {:?} at {} Hz, not 16-bit PCM",
                spec.channels, spec.bits_per_sample, spec.sample_format, spec.sample_rate
            )));
        }
        let most = u64::from(spec.sample_rate) * u64::from(spec.channels) * MAX_AUDIO.as_secs();
        if u64::from(reader.len()) > most {
            return Err(SpeechError::Audio(format!(
                "longer than {} s",
                MAX_AUDIO.as_secs()
            )));
        }
        let samples = reader
            .into_samples::<i16>()
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad)?;
        Ok(Audio {
            rate: spec.sample_rate,
            channels: spec.channels,
            samples,
        })
    }

    /// Writes the audio as a WAV file (the `madoguchi speak` command, tests).
    pub fn write_wav(&self, path: &Path) -> Result<(), SpeechError> {
        let bad = |error: hound::Error| SpeechError::Audio(error.to_string());
        let spec = hound::WavSpec {
            channels: self.channels,
            sample_rate: self.rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(path, spec).map_err(bad)?;
        for sample in &self.samples {
            writer.write_sample(*sample).map_err(bad)?;
        }
        writer.finalize().map_err(bad)
    }

    pub fn duration(&self) -> Duration {
        let frames = self.samples.len() as u64 / u64::from(self.channels.max(1));
        Duration::from_secs_f64(frames as f64 / f64::from(self.rate.max(1)))
    }

    /// Scales every sample to `volume` per cent.
    pub fn scaled(mut self, volume: u8) -> Audio {
        let factor = i32::from(volume.min(100));
        for sample in &mut self.samples {
            *sample = (i32::from(*sample) * factor / 100) as i16;
        }
        self
    }

    /// The samples as the sound service takes them: little-endian bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.samples.iter().flat_map(|s| s.to_le_bytes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_scales_and_duration_counts_frames() {
        let audio = Audio {
            rate: 4,
            channels: 2,
            samples: vec![1000, -1000, 200, -200, 0, 0, 32767, -32768],
        };
        assert_eq!(audio.duration(), Duration::from_secs(1));
        let half = audio.scaled(50);
        assert_eq!(
            half.samples,
            vec![500, -500, 100, -100, 0, 0, 16383, -16384]
        );
        assert!(half.scaled(0).samples.iter().all(|s| *s == 0));
    }

    #[test]
    fn a_wav_round_trips_and_garbage_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("a.wav");
        let audio = Audio {
            rate: 22050,
            channels: 1,
            samples: (0..22050)
                .map(|i| ((i % 100) * 300 - 15000) as i16)
                .collect(),
        };
        audio.write_wav(&path).expect("written");
        assert_eq!(Audio::read_wav(&path).expect("read"), audio);
        std::fs::write(&path, b"RIFF not really").expect("written");
        assert!(matches!(Audio::read_wav(&path), Err(SpeechError::Audio(_))));
    }
}
