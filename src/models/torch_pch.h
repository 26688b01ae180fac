// Precompiled header for the libtorch targets only (models/, train/). Never include from
// headers that torch-free code sees.
#pragma once
#include <torch/torch.h>
