"""Installs the `albert` package: A Lite BERT on TensorFlow 2.15 graph mode."""

import setuptools

with open("requirements.txt") as handle:
  REQUIREMENTS = [line.strip() for line in handle
                  if line.strip() and not line.startswith("#")]

setuptools.setup(
    name="albert",
    version="0.1.0",
    description="ALBERT (A Lite BERT): pretraining and fine-tuning on TensorFlow 2.15 "
                "graph mode, checkpoint-compatible with Google's release.",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    packages=["albert"],
    # The C++ training kernels are compiled on first use (albert/cpu_kernels.py), so the
    # package stays pure Python and installs without a compiler.
    package_data={"albert": ["cpu_kernels.cc"]},
    python_requires=">=3.11,<3.12",
    install_requires=REQUIREMENTS,
    extras_require={
        # Exact torch pin: the CPU wheel lies on our machines; a range pulls a CUDA build.
        # safetensors reads and writes Hugging Face weights without torch (import_hf/export_hf).
        "interop": ["torch==2.13.0", "transformers==4.57.6", "safetensors"],
        "test": ["pytest", "pytest-xdist"],
        # create_pretraining_data_beam (Apache Beam: DirectRunner, Dataflow, Flink, Spark).
        # Installing it keeps tensorflow 2.15.1, numpy 1.26 and protobuf 4.25 (checked with
        # pip freeze before and after); alone, pip would take protobuf 6, hence the upper bound
        # of the requirements above, which pip honours when both are installed together.
        # [tfrecord] brings a CRC for Beam's TFRecord sink; google-crc32c is the fast one
        # (crcmod alone takes ~40 us per 3 kB record).
        "beam": ["apache-beam[tfrecord]>=2.60,<3", "google-crc32c"],
    },
)
