// Copyright 2026 The albert Authors. Licensed under the Apache License, Version 2.0.
//
// Single-pass CPU kernels for ALBERT's training graphs: LayerNorm and the attention's masked
// softmax, each with its gradient. TensorFlow builds both from chains of elementwise ops and
// reductions, each a pass over memory; here each direction is one pass over the rows, with the
// row in L1 cache. albert/cpu_kernels.py compiles this file on first use (g++, TensorFlow's
// headers), loads it, and registers the gradients; modeling.py uses the ops only inside
// training_kernels_scope, so evaluation and exported graphs never reference them.
//
// All tensors are float32 and row-major. Rows are independent, so the work is split over
// rows between TensorFlow's intra-op threads.

#include <algorithm>
#include <cmath>
#include <vector>

#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"
#include "Eigen/Core"

namespace albert {
namespace {

using ::tensorflow::int64;
using ::tensorflow::OpKernel;
using ::tensorflow::OpKernelConstruction;
using ::tensorflow::OpKernelContext;
using ::tensorflow::Tensor;
using ::tensorflow::TensorShape;
using ::tensorflow::shape_inference::InferenceContext;
namespace errors = ::tensorflow::errors;

using ConstRow = Eigen::Map<const Eigen::ArrayXf>;
using Row = Eigen::Map<Eigen::ArrayXf>;

// Runs fn(begin, end) over [0, rows) on the intra-op thread pool; cost is per row, in
// roughly cycles, which decides how finely the rows are split.
template <typename Fn>
void ParallelForRows(OpKernelContext* context, int64 rows, int64 cost_per_row, Fn fn) {
  auto* workers = context->device()->tensorflow_cpu_worker_threads()->workers;
  workers->ParallelFor(rows, cost_per_row, [&fn](int64 begin, int64 end) { fn(begin, end); });
}

// ----------------------------------------------------------------------------------------
// LayerNorm over the last axis: y = (x - mean) * rstd * gamma + beta, with
// rstd = 1 / sqrt(variance + epsilon) and the variance of the centred row (as modeling.py's
// graph computes it). The forward also returns mean and rstd per row for the gradient.

class LayerNormOp : public OpKernel {
 public:
  explicit LayerNormOp(OpKernelConstruction* context) : OpKernel(context) {
    OP_REQUIRES_OK(context, context->GetAttr("epsilon", &epsilon_));
  }

  // Inputs: x [rows, width], gamma [width], beta [width].
  // Outputs: y [rows, width], mean [rows], rstd [rows].
  void Compute(OpKernelContext* context) override {
    const Tensor& x = context->input(0);
    const Tensor& gamma = context->input(1);
    const Tensor& beta = context->input(2);
    OP_REQUIRES(context, x.dims() == 2,
                errors::InvalidArgument("AlbertLayerNorm: x must be [rows, width], got ",
                                        x.shape().DebugString()));
    const int64 rows = x.dim_size(0), width = x.dim_size(1);
    OP_REQUIRES(context, width > 0,
                errors::InvalidArgument("AlbertLayerNorm: rows of width 0 have no mean"));
    OP_REQUIRES(context, gamma.NumElements() == width && beta.NumElements() == width,
                errors::InvalidArgument("AlbertLayerNorm: gamma and beta must be [", width,
                                        "], got ", gamma.shape().DebugString(), " and ",
                                        beta.shape().DebugString()));
    Tensor *y, *mean, *rstd;
    OP_REQUIRES_OK(context, context->allocate_output(0, x.shape(), &y));
    OP_REQUIRES_OK(context, context->allocate_output(1, TensorShape({rows}), &mean));
    OP_REQUIRES_OK(context, context->allocate_output(2, TensorShape({rows}), &rstd));
    const float* x_data = x.flat<float>().data();
    const ConstRow gamma_row(gamma.flat<float>().data(), width);
    const ConstRow beta_row(beta.flat<float>().data(), width);
    float* y_data = y->flat<float>().data();
    float* mean_data = mean->flat<float>().data();
    float* rstd_data = rstd->flat<float>().data();
    const float epsilon = epsilon_;
    ParallelForRows(context, rows, 8 * width, [&](int64 begin, int64 end) {
      for (int64 r = begin; r < end; ++r) {
        const ConstRow row(x_data + r * width, width);
        const float row_mean = row.mean();
        const float variance = (row - row_mean).square().mean();
        const float row_rstd = 1.0f / std::sqrt(variance + epsilon);
        Row(y_data + r * width, width) = (row - row_mean) * row_rstd * gamma_row + beta_row;
        mean_data[r] = row_mean;
        rstd_data[r] = row_rstd;
      }
    });
  }

 private:
  float epsilon_;
};

// Gradient of AlbertLayerNorm. With xhat = (x - mean) * rstd and g = dy * gamma:
//   dx = rstd * (g - mean(g) - xhat * mean(g * xhat))   (means over the row),
//   dgamma = sum over rows of dy * xhat,   dbeta = sum over rows of dy.
// dgamma and dbeta are summed per block of rows and the blocks added at the end, so threads
// never write the same memory.
class LayerNormGradOp : public OpKernel {
 public:
  explicit LayerNormGradOp(OpKernelConstruction* context) : OpKernel(context) {}

  // Inputs: dy [rows, width], x [rows, width], gamma [width], mean [rows], rstd [rows].
  // Outputs: dx [rows, width], dgamma [width], dbeta [width].
  void Compute(OpKernelContext* context) override {
    const Tensor& dy = context->input(0);
    const Tensor& x = context->input(1);
    const Tensor& gamma = context->input(2);
    const Tensor& mean = context->input(3);
    const Tensor& rstd = context->input(4);
    OP_REQUIRES(context, x.dims() == 2 && dy.shape() == x.shape(),
                errors::InvalidArgument("AlbertLayerNormGrad: dy and x must be one [rows, "
                                        "width] shape, got ", dy.shape().DebugString(),
                                        " and ", x.shape().DebugString()));
    const int64 rows = x.dim_size(0), width = x.dim_size(1);
    OP_REQUIRES(context, gamma.NumElements() == width && mean.NumElements() == rows &&
                             rstd.NumElements() == rows,
                errors::InvalidArgument("AlbertLayerNormGrad: gamma must be [width], mean "
                                        "and rstd [rows]"));
    Tensor *dx, *dgamma, *dbeta;
    OP_REQUIRES_OK(context, context->allocate_output(0, x.shape(), &dx));
    OP_REQUIRES_OK(context, context->allocate_output(1, gamma.shape(), &dgamma));
    OP_REQUIRES_OK(context, context->allocate_output(2, gamma.shape(), &dbeta));
    const float* dy_data = dy.flat<float>().data();
    const float* x_data = x.flat<float>().data();
    const ConstRow gamma_row(gamma.flat<float>().data(), width);
    const float* mean_data = mean.flat<float>().data();
    const float* rstd_data = rstd.flat<float>().data();
    float* dx_data = dx->flat<float>().data();

    const int64 blocks = std::min<int64>(rows, 64);
    // partial[b] holds block b's [dgamma, dbeta], 2 * width floats.
    std::vector<float> partial(2 * blocks * width, 0.0f);
    ParallelForRows(context, blocks, 16 * width * (rows / std::max<int64>(blocks, 1) + 1),
                    [&](int64 block_begin, int64 block_end) {
      Eigen::ArrayXf xhat(width), g(width);
      for (int64 b = block_begin; b < block_end; ++b) {
        Row block_dgamma(partial.data() + 2 * b * width, width);
        Row block_dbeta(partial.data() + (2 * b + 1) * width, width);
        for (int64 r = rows * b / blocks; r < rows * (b + 1) / blocks; ++r) {
          const ConstRow dy_row(dy_data + r * width, width);
          const float row_rstd = rstd_data[r];
          xhat = (ConstRow(x_data + r * width, width) - mean_data[r]) * row_rstd;
          g = dy_row * gamma_row;
          const float mean_g = g.mean();
          const float mean_g_xhat = (g * xhat).mean();
          Row(dx_data + r * width, width) = row_rstd * (g - mean_g - xhat * mean_g_xhat);
          block_dgamma += dy_row * xhat;
          block_dbeta += dy_row;
        }
      }
    });
    Row dgamma_row(dgamma->flat<float>().data(), width);
    Row dbeta_row(dbeta->flat<float>().data(), width);
    dgamma_row.setZero();
    dbeta_row.setZero();
    for (int64 b = 0; b < blocks; ++b) {
      dgamma_row += ConstRow(partial.data() + 2 * b * width, width);
      dbeta_row += ConstRow(partial.data() + (2 * b + 1) * width, width);
    }
  }
};

// ----------------------------------------------------------------------------------------
// The attention's masked softmax: probs = softmax(logits * scale + (1 - mask) * mask_adder)
// over the last axis, as modeling.dot_product_attention builds it from four ops.

class MaskedSoftmaxOp : public OpKernel {
 public:
  explicit MaskedSoftmaxOp(OpKernelConstruction* context) : OpKernel(context) {
    OP_REQUIRES_OK(context, context->GetAttr("scale", &scale_));
    OP_REQUIRES_OK(context, context->GetAttr("mask_adder", &mask_adder_));
  }

  // Inputs: logits [B, N, F, T], mask [B, T] (1 = attend, 0 = masked out).
  // Output: probs [B, N, F, T].
  void Compute(OpKernelContext* context) override {
    const Tensor& logits = context->input(0);
    const Tensor& mask = context->input(1);
    OP_REQUIRES(context, logits.dims() == 4 && mask.dims() == 2 &&
                             mask.dim_size(0) == logits.dim_size(0) &&
                             mask.dim_size(1) == logits.dim_size(3),
                errors::InvalidArgument("AlbertMaskedSoftmax: logits must be [B, N, F, T] "
                                        "and mask [B, T], got ", logits.shape().DebugString(),
                                        " and ", mask.shape().DebugString()));
    const int64 to_length = logits.dim_size(3);
    const int64 rows_per_example = logits.dim_size(1) * logits.dim_size(2);
    const int64 rows = logits.dim_size(0) * rows_per_example;
    Tensor* probs;
    OP_REQUIRES_OK(context, context->allocate_output(0, logits.shape(), &probs));
    if (to_length == 0) return;  // nothing to normalize (and no maximum to subtract)
    const float* logits_data = logits.flat<float>().data();
    const float* mask_data = mask.flat<float>().data();
    float* probs_data = probs->flat<float>().data();
    const float scale = scale_, mask_adder = mask_adder_;
    ParallelForRows(context, rows, 24 * to_length, [&](int64 begin, int64 end) {
      Eigen::ArrayXf adder(to_length);
      int64 adder_example = -1;
      for (int64 r = begin; r < end; ++r) {
        const int64 example = r / rows_per_example;
        if (example != adder_example) {
          adder = (1.0f - ConstRow(mask_data + example * to_length, to_length)) * mask_adder;
          adder_example = example;
        }
        Row out(probs_data + r * to_length, to_length);
        out = ConstRow(logits_data + r * to_length, to_length) * scale + adder;
        out = (out - out.maxCoeff()).exp();
        out *= 1.0f / out.sum();
      }
    });
  }

 private:
  float scale_;
  float mask_adder_;
};

// Gradient of AlbertMaskedSoftmax with respect to the logits:
//   dlogits = scale * probs * (dprobs - sum(dprobs * probs))   (sum over the row).
class MaskedSoftmaxGradOp : public OpKernel {
 public:
  explicit MaskedSoftmaxGradOp(OpKernelConstruction* context) : OpKernel(context) {
    OP_REQUIRES_OK(context, context->GetAttr("scale", &scale_));
  }

  // Inputs: dprobs [B, N, F, T], probs [B, N, F, T]. Output: dlogits [B, N, F, T].
  void Compute(OpKernelContext* context) override {
    const Tensor& dprobs = context->input(0);
    const Tensor& probs = context->input(1);
    OP_REQUIRES(context, probs.dims() >= 1 && dprobs.shape() == probs.shape(),
                errors::InvalidArgument("AlbertMaskedSoftmaxGrad: dprobs and probs must be "
                                        "one shape, got ", dprobs.shape().DebugString(),
                                        " and ", probs.shape().DebugString()));
    const int64 to_length = probs.dim_size(probs.dims() - 1);
    const int64 rows = to_length == 0 ? 0 : probs.NumElements() / to_length;
    Tensor* dlogits;
    OP_REQUIRES_OK(context, context->allocate_output(0, probs.shape(), &dlogits));
    const float* dprobs_data = dprobs.flat<float>().data();
    const float* probs_data = probs.flat<float>().data();
    float* dlogits_data = dlogits->flat<float>().data();
    const float scale = scale_;
    ParallelForRows(context, rows, 8 * to_length, [&](int64 begin, int64 end) {
      for (int64 r = begin; r < end; ++r) {
        const ConstRow dprobs_row(dprobs_data + r * to_length, to_length);
        const ConstRow probs_row(probs_data + r * to_length, to_length);
        const float dot = (dprobs_row * probs_row).sum();
        Row(dlogits_data + r * to_length, to_length) =
            scale * probs_row * (dprobs_row - dot);
      }
    });
  }

 private:
  float scale_;
};

REGISTER_OP("AlbertLayerNorm")
    .Input("x: float")
    .Input("gamma: float")
    .Input("beta: float")
    .Output("y: float")
    .Output("mean: float")
    .Output("rstd: float")
    .Attr("epsilon: float")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(0));
      c->set_output(1, c->Vector(c->Dim(c->input(0), 0)));
      c->set_output(2, c->Vector(c->Dim(c->input(0), 0)));
      return ::tensorflow::OkStatus();
    });

REGISTER_OP("AlbertLayerNormGrad")
    .Input("dy: float")
    .Input("x: float")
    .Input("gamma: float")
    .Input("mean: float")
    .Input("rstd: float")
    .Output("dx: float")
    .Output("dgamma: float")
    .Output("dbeta: float")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(1));
      c->set_output(1, c->input(2));
      c->set_output(2, c->input(2));
      return ::tensorflow::OkStatus();
    });

REGISTER_OP("AlbertMaskedSoftmax")
    .Input("logits: float")
    .Input("mask: float")
    .Output("probs: float")
    .Attr("scale: float")
    .Attr("mask_adder: float")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(0));
      return ::tensorflow::OkStatus();
    });

REGISTER_OP("AlbertMaskedSoftmaxGrad")
    .Input("dprobs: float")
    .Input("probs: float")
    .Output("dlogits: float")
    .Attr("scale: float")
    .SetShapeFn([](InferenceContext* c) {
      c->set_output(0, c->input(1));
      return ::tensorflow::OkStatus();
    });

REGISTER_KERNEL_BUILDER(Name("AlbertLayerNorm").Device(::tensorflow::DEVICE_CPU), LayerNormOp);
REGISTER_KERNEL_BUILDER(Name("AlbertLayerNormGrad").Device(::tensorflow::DEVICE_CPU),
                        LayerNormGradOp);
REGISTER_KERNEL_BUILDER(Name("AlbertMaskedSoftmax").Device(::tensorflow::DEVICE_CPU),
                        MaskedSoftmaxOp);
REGISTER_KERNEL_BUILDER(Name("AlbertMaskedSoftmaxGrad").Device(::tensorflow::DEVICE_CPU),
                        MaskedSoftmaxGradOp);

}  // namespace
}  // namespace albert
