// placeholder until block_scale lands
