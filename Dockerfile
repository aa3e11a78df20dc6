# The studio on a CUDA machine:
#   docker build -t finetune-studio .
#   docker run --gpus all -p 7860:7860 -v studio-data:/workspace -v /srv/datasets:/data:ro finetune-studio
# Datasets mounted at /data can be read by path in the Data step (--data-root /data).
# Inside the container it listens on 0.0.0.0 so the published port reaches it; publish it
# only where you mean to, and set STUDIO_AUTH=user:password to require a login.
# torch >= 2.11: the floor pyproject.toml declares (the studio refuses an older one at start)
FROM pytorch/pytorch:2.11.0-cuda12.8-cudnn9-runtime

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STUDIO_WORKSPACE=/workspace

WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY studio ./studio
COPY templates ./templates
COPY data ./data
# [gpu]: Liger Kernel (fused kernels on the GPU). [gguf]: llama-cpp-python, compiled here for the CPU (llama.cpp's
# quantizer for the k-quant GGUF exports and the loader of their parity check; `studio serve-model --gguf`), hence
# the compiler and cmake.
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
RUN pip install -e ".[gpu,gguf]" && mkdir -p /workspace

VOLUME ["/workspace"]
EXPOSE 7860
CMD ["studio", "--host", "0.0.0.0", "--port", "7860", "--data-root", "/data"]
