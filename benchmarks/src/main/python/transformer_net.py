"""Johnson et al.'s image transformation network as pytorch/examples' fast_neural_style builds it
(neural_style/transformer_net.py): width 32, 5 residual blocks, reflection padding before every
convolution, affine instance norm, nearest-neighbour x2 upsampling; it works in the 0-255 range.
The same network as org.perceptual4j.fast.TransformNet (Architecture.JOHNSON). Shared by
torch_bench.py (the transform_net workload) and fast_style_timing.py.
"""
import torch
import torch.nn.functional as F


class Conv(torch.nn.Module):
    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.pad = torch.nn.ReflectionPad2d(k // 2)
        self.conv2d = torch.nn.Conv2d(cin, cout, k, stride)

    def forward(self, x):
        return self.conv2d(self.pad(x))


class Residual(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.in1 = Conv(c, c, 3, 1), torch.nn.InstanceNorm2d(c, affine=True)
        self.conv2, self.in2 = Conv(c, c, 3, 1), torch.nn.InstanceNorm2d(c, affine=True)

    def forward(self, x):
        return x + self.in2(self.conv2(torch.relu(self.in1(self.conv1(x)))))


class TransformNet(torch.nn.Module):
    def __init__(self, w=32, blocks=5):
        super().__init__()
        self.conv1, self.in1 = Conv(3, w, 9, 1), torch.nn.InstanceNorm2d(w, affine=True)
        self.conv2, self.in2 = Conv(w, 2 * w, 3, 2), torch.nn.InstanceNorm2d(2 * w, affine=True)
        self.conv3, self.in3 = Conv(2 * w, 4 * w, 3, 2), torch.nn.InstanceNorm2d(4 * w, affine=True)
        self.res = torch.nn.Sequential(*[Residual(4 * w) for _ in range(blocks)])
        self.deconv1, self.in4 = Conv(4 * w, 2 * w, 3, 1), torch.nn.InstanceNorm2d(2 * w, affine=True)
        self.deconv2, self.in5 = Conv(2 * w, w, 3, 1), torch.nn.InstanceNorm2d(w, affine=True)
        self.deconv3 = Conv(w, 3, 9, 1)

    def forward(self, x255):
        y = torch.relu(self.in1(self.conv1(x255)))
        y = torch.relu(self.in2(self.conv2(y)))
        y = torch.relu(self.in3(self.conv3(y)))
        y = self.res(y)
        y = torch.relu(self.in4(self.deconv1(F.interpolate(y, scale_factor=2, mode="nearest"))))
        y = torch.relu(self.in5(self.deconv2(F.interpolate(y, scale_factor=2, mode="nearest"))))
        return self.deconv3(y)


def stylize(net, rgb):
    """What FastStyleModel.stylize does: RGB [0, 1] in, the network in 0-255, RGB clamped to [0, 1] out."""
    return (net(rgb * 255.0) / 255.0).clamp(0, 1)
